using System.Text;
using Quai.Runtime.Cgroups;
using Quai.Runtime.Cli.Verbs;
using Quai.Runtime.Processes;
using Quai.Runtime.Store;

namespace Quai.Runtime.Cli;

/// <summary>
/// quai-runtime's command line, runc-compatible: global flags, then a verb and its flags. Errors
/// print one line on stderr (and to --log), exit status 1, as runc does.
/// </summary>
public static class RuntimeCli
{
    /// <summary>The version `--version` prints.</summary>
    public const string Version = "0.1.0";

    /// <summary>Global flags (before the verb).</summary>
    public static readonly IReadOnlyList<FlagSpec> GlobalFlags =
    [
        new("root", TakesValue: true),
        new("log", TakesValue: true),
        new("log-format", TakesValue: true),
        new("systemd-cgroup"),
        new("debug"),
        new("rootless", TakesValue: true),
        new("criu", TakesValue: true),
        new("version", 'v'),
        new("help", 'h'),
    ];

    /// <summary>Every verb, in --help order.</summary>
    public static readonly IReadOnlyList<Verb> Verbs =
    [
        CreateVerb.Definition, StartVerb.Definition, RunVerb.Definition, StateVerb.Definition, KillVerb.Definition,
        DeleteVerb.Definition, ExecVerb.Definition, PsVerb.Definition, ListVerb.Definition, PauseVerb.Definition,
        ResumeVerb.Definition, UpdateVerb.Definition, SpecVerb.Definition, FeaturesVerb.Definition,
    ];

    /// <summary>Runs the command line; returns the process exit status.</summary>
    public static int Run(string[] args)
    {
        // The container's init and exec-init are this same binary (runc init): dispatch first, cheaply.
        if (args.Length == 1 && args[0] == "init")
        {
            return ContainerInit.Run();
        }
        if (args.Length == 1 && args[0] == "exec-init")
        {
            return ExecInit.Run();
        }
        try
        {
            var global = ArgParser.Parse(args, GlobalFlags);
            var format = global.Get("log-format") ?? "text";
            if (format is not ("text" or "json"))
            {
                throw new RuntimeException($"invalid --log-format \"{format}\": use text or json");
            }
            RuntimeLog.Configure(global.Get("log"), format == "json", global.Has("debug"));
            if (global.Has("version"))
            {
                Console.Out.Write($"quai-runtime version {Version}\nspec: {Oci.Runtime.SpecVersion.Current}\n");
                return 0;
            }
            if (global.Has("help") || global.Positionals.Count == 0)
            {
                Console.Out.Write(Help());
                return global.Has("help") ? 0 : 1;
            }
            var name = global.Positionals[0];
            var verb = Verbs.FirstOrDefault(v => v.Name == name) ?? throw new RuntimeException($"unknown command \"{name}\" (see quai-runtime --help)");
            var verbArgs = ArgParser.Parse(global.Positionals, [.. verb.Flags, new FlagSpec("help", 'h')], start: 1);
            if (verbArgs.Has("help"))
            {
                Console.Out.Write($"usage: quai-runtime {verb.Name} {verb.Usage}\n\n{verb.Summary}\n");
                return 0;
            }
            if (verbArgs.Positionals.Count < verb.MinArgs || verbArgs.Positionals.Count > verb.MaxArgs)
            {
                throw new RuntimeException($"\"{verb.Name}\" requires {Describe(verb)}: usage: quai-runtime {verb.Name} {verb.Usage}");
            }
            var context = new CliContext(global.Get("root") ?? StateStore.DefaultRoot, global.Has("systemd-cgroup"), global.Has("debug"), global.Get("rootless") is "true");
            return verb.Run(context, verbArgs);
        }
        catch (Exception e) when (e is RuntimeException or CgroupException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            RuntimeLog.Error(e.Message);
            return 1;
        }
    }

    private static string Describe(Verb verb) =>
        verb.MinArgs == verb.MaxArgs ? $"exactly {verb.MinArgs} argument(s)"
        : verb.MaxArgs == int.MaxValue ? $"at least {verb.MinArgs} argument(s)"
        : $"{verb.MinArgs} to {verb.MaxArgs} arguments";

    private static string Help()
    {
        var sb = new StringBuilder();
        sb.Append("quai-runtime: an OCI runtime (runc-compatible command line)\n\n");
        sb.Append("usage: quai-runtime [global options] command [command options] [arguments...]\n\ncommands:\n");
        foreach (var v in Verbs)
        {
            sb.Append("  ").Append(v.Name.PadRight(10)).Append(v.Summary).Append('\n');
        }
        sb.Append("\nglobal options:\n  --root DIR          state directory (default ").Append(StateStore.DefaultRoot).Append(")\n");
        sb.Append("  --log FILE          log file\n  --log-format F      text (default) or json\n  --debug             log every kernel call\n");
        sb.Append("  --systemd-cgroup    use the systemd cgroup driver (not supported)\n  --rootless B        accepted\n  --criu P            accepted, ignored\n");
        sb.Append("  --version, -v       print the version\n  --help, -h          show help\n");
        return sb.ToString();
    }
}
