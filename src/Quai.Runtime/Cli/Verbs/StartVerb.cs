namespace Quai.Runtime.Cli.Verbs;

/// <summary>`start ID`.</summary>
public static class StartVerb
{
    public static readonly Verb Definition = new("start", "<container-id>", "start the user program of a created container", [], 1, 1, (c, a) =>
    {
        c.Service.Start(a.Positionals[0]);
        return 0;
    });
}
