using Quai.Linux;

namespace Quai.Runtime.Cli.Verbs;

/// <summary>`kill [--all] ID [SIGNAL]` (default SIGTERM; names with or without SIG, numbers).</summary>
public static class KillVerb
{
    public static readonly Verb Definition = new("kill", "[--all] <container-id> [signal]", "send a signal to the container's init (or, with --all, to every process)", [new("all", 'a')], 1, 2, (c, a) =>
    {
        var signal = a.Positionals.Count > 1 ? ParseSignal(a.Positionals[1]) : Signals.SIGTERM;
        c.Service.Kill(a.Positionals[0], signal, a.Has("all"));
        return 0;
    });

    /// <summary>A signal by name (TERM, SIGTERM) or number; unknown names are an error.</summary>
    public static int ParseSignal(string text) =>
        Signals.Parse(text) ?? throw new RuntimeException($"unknown signal \"{text}\": use a name such as SIGTERM or KILL, or a number 1-64");
}
