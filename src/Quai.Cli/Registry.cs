using Quai.Cli.Commands;

namespace Quai.Cli;

/// <summary>Every verb, found by its path (`container ls`) or an alias (`ps`).</summary>
public static class Registry
{
    /// <summary>Management groups (`quai container ...`).</summary>
    public static readonly string[] Groups = ["container", "image", "network", "system", "volume"];

    /// <summary>All commands.</summary>
    public static readonly Command[] All =
    [
        RunCommand.Definition,
        CreateCommand.Definition,
        StartCommand.Start,
        StartCommand.Attach,
        PsCommand.Definition,
        LogsCommand.Definition,
        ExecCommand.Definition,
        RmCommand.Definition,
        StopCommand.Stop,
        StopCommand.Restart,
        SimpleContainerCommands.Kill,
        SimpleContainerCommands.Pause,
        SimpleContainerCommands.Unpause,
        SimpleContainerCommands.Rename,
        WaitCommand.Definition,
        TopCommand.Definition,
        PortCommand.Definition,
        DiffCommand.Definition,
        CpCommand.Definition,
        InspectCommand.Any,
        InspectCommand.Container,
        InspectCommand.Image,
        InspectCommand.Volume,
        InspectCommand.Network,
        ImagesCommand.Definition,
        PullCommand.Definition,
        VersionCommand.Definition,
        VolumeCommands.Create,
        VolumeCommands.Ls,
        VolumeCommands.Rm,
        VolumeCommands.Prune,
        ImageCommands.Push,
        ImageCommands.Tag,
        ImageCommands.Rmi,
        ImageCommands.History,
        ImageCommands.Prune,
        ArchiveCommands.Export,
        ArchiveCommands.Save,
        ArchiveCommands.Load,
        ArchiveCommands.Import,
        CommitCommand.Definition,
        UpdateCommand.Definition,
        StatsCommand.Definition,
        ContainerPruneCommand.Definition,
        InfoCommand.Definition,
        SystemCommands.Df,
        SystemCommands.Prune,
        EventsCommand.Definition,
        LoginCommands.Login,
        LoginCommands.Logout,
        NetworkCommands.Create,
        NetworkCommands.Ls,
        NetworkCommands.Rm,
        NetworkCommands.Prune,
        NetworkCommands.Connect,
        NetworkCommands.Disconnect,
    ];

    private static readonly Dictionary<string, Command> ByPath = Build();

    private static Dictionary<string, Command> Build()
    {
        var map = new Dictionary<string, Command>(StringComparer.Ordinal);
        foreach (var c in All)
        {
            map[c.Path] = c;
            foreach (var a in c.Aliases)
            {
                map[a] = c;
            }
        }
        return map;
    }

    /// <summary>Whether <paramref name="word"/> is a management group.</summary>
    public static bool IsGroup(string word) => Groups.Contains(word);

    /// <summary>The command named by the first one or two words, and how many words that took.</summary>
    public static (Command? Command, int Consumed) Find(IReadOnlyList<string> words)
    {
        if (words.Count >= 2 && ByPath.TryGetValue(words[0] + " " + words[1], out var two))
        {
            return (two, 2);
        }
        if (IsGroup(words[0]) && words[0] != "system")
        {
            return (null, 0);
        }
        return ByPath.TryGetValue(words[0], out var one) ? (one, 1) : (null, 0);
    }
}
