using Quai.Runtime.Container;

namespace Quai.Runtime.Cli.Verbs;

/// <summary>`create [--bundle DIR] [--pid-file F] [--console-socket S] [--no-pivot] [--no-new-keyring] [--preserve-fds N] ID`.</summary>
public static class CreateVerb
{
    /// <summary>Flags shared with `run`.</summary>
    public static readonly IReadOnlyList<FlagSpec> Flags =
    [
        new("bundle", 'b', TakesValue: true),
        new("pid-file", TakesValue: true),
        new("console-socket", TakesValue: true),
        new("no-pivot"),
        new("no-new-keyring"),
        new("preserve-fds", TakesValue: true),
    ];

    public static readonly Verb Definition = new("create", "[options] <container-id>", "create a container from a bundle", Flags, 1, 1, Run);

    /// <summary>The create options from parsed flags.</summary>
    public static CreateOptions Options(ParsedArgs args)
    {
        var preserve = args.GetInt("preserve-fds", 0);
        if (preserve < 0)
        {
            throw new RuntimeException($"--preserve-fds {preserve}: must be 0 or more");
        }
        return new CreateOptions
        {
            Id = args.Positionals[0],
            Bundle = args.Get("bundle") ?? ".",
            PidFile = args.Get("pid-file"),
            ConsoleSocket = args.Get("console-socket"),
            NoPivot = args.Has("no-pivot"),
            NoNewKeyring = args.Has("no-new-keyring"),
            PreserveFds = InitLauncher.FdsToKeep(preserve),
        };
    }

    private static int Run(CliContext context, ParsedArgs args)
    {
        context.Creator().Create(Options(args));
        return 0;
    }
}
