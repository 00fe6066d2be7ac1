namespace Quai.Runtime.Cli.Verbs;

/// <summary>`pause ID`: freeze every process of the container.</summary>
public static class PauseVerb
{
    public static readonly Verb Definition = new("pause", "<container-id>", "freeze every process of the container", [], 1, 1, (c, a) =>
    {
        c.Service.Pause(a.Positionals[0]);
        return 0;
    });
}
