namespace Quai.Runtime.Cli.Verbs;

/// <summary>`resume ID`: thaw a paused container.</summary>
public static class ResumeVerb
{
    public static readonly Verb Definition = new("resume", "<container-id>", "thaw a paused container", [], 1, 1, (c, a) =>
    {
        c.Service.Resume(a.Positionals[0]);
        return 0;
    });
}
