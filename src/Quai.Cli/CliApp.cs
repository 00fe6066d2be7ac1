using Quai.Cli.Api;
using Quai.Cli.Commands;
using Quai.Cli.Formatting;
using Quai.Cli.Parsing;

namespace Quai.Cli;

/// <summary>The `quai` entry point: global flags, verb lookup, and docker's error and exit-code rules.</summary>
public static class CliApp
{
    private static readonly Flag[] GlobalFlags =
    [
        Flag.Str("config", '\0', "Location of client config files", "string", "\"/root/.docker\""),
        Flag.Str("context", 'c', "Name of the context to use to connect to the daemon (ignored)"),
        Flag.Bool("debug", 'D', "Enable debug mode"),
        Flag.List("host", 'H', "Daemon socket to connect to"),
        Flag.Str("log-level", 'l', "Set the logging level (\"debug\", \"info\", \"warn\", \"error\", \"fatal\")", "string", "\"info\""),
        Flag.Bool("tls", '\0', "Use TLS; implied by --tlsverify"),
        Flag.Str("tlscacert", '\0', "Trust certs signed only by this CA"),
        Flag.Str("tlscert", '\0', "Path to TLS certificate file"),
        Flag.Str("tlskey", '\0', "Path to TLS key file"),
        Flag.Bool("tlsverify", '\0', "Use TLS and verify the remote"),
        Flag.Bool("version", 'v', "Print version information and quit"),
        Flag.Bool("help", '\0', "Print usage"),
    ];

    /// <summary>Runs one `quai` command line against the process's streams; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        ParsedArgs global;
        try
        {
            global = FlagParser.Parse(args, GlobalFlags, interspersed: false);
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"{e.Message}\nSee '{CliInfo.Program} --help'.").ConfigureAwait(false);
            return 125;
        }
        var env = (Func<string, string?>)Environment.GetEnvironmentVariable;
        if (global.Bool("version"))
        {
            Console.Out.WriteLine($"Quai version {CliInfo.Version}");
            return 0;
        }
        DaemonHost host;
        try
        {
            TlsSettings? tls = null;
            if (global.Bool("tls") || global.Bool("tlsverify"))
            {
                var dir = env("DOCKER_CERT_PATH") ?? Path.Combine(env("HOME") ?? "/root", ".docker");
                tls = new TlsSettings(global.Str("tlscacert") is { } ca ? Path.GetDirectoryName(ca)! : dir, global.Bool("tlsverify"));
            }
            var hosts = global.List("host");
            if (hosts.Count > 1)
            {
                throw new ArgumentException("specify only one -H");
            }
            host = DaemonHost.Resolve(hosts.Count == 1 ? hosts[0] : null, env, tls);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }
        var configDir = global.Str("config") ?? env("DOCKER_CONFIG") ?? Path.Combine(env("HOME") ?? "/root", ".docker");
        using var ctx = new CliContext(host, configDir, env);
        return await DispatchAsync(ctx, global.Args, global.Bool("help")).ConfigureAwait(false);
    }

    /// <summary>Finds the verb for <paramref name="words"/>, parses its flags and runs it.</summary>
    public static async Task<int> DispatchAsync(CliContext ctx, IReadOnlyList<string> words, bool help = false)
    {
        if (words.Count == 0 || (words.Count == 1 && words[0] == "help"))
        {
            Help.PrintRoot(ctx.Out);
            return 0;
        }
        var (command, consumed) = Registry.Find(words);
        if (command is null)
        {
            if (Registry.IsGroup(words[0]) && (words.Count == 1 || words[1] is "--help" or "-h" or "help"))
            {
                Help.PrintGroup(ctx.Out, words[0]);
                return 0;
            }
            var what = Registry.IsGroup(words[0]) && words.Count > 1 ? $"{words[0]} {words[1]}" : words[0];
            await ctx.Err.WriteLineAsync($"{CliInfo.Program}: unknown command: {CliInfo.Program} {what}\n\nRun '{CliInfo.Program} --help' for more information").ConfigureAwait(false);
            return 1;
        }
        var rest = words.Skip(consumed).ToList();
        var usageLine = $"Usage:  {CliInfo.Program} {command.Path} {command.Usage}";
        ParsedArgs parsed;
        try
        {
            if (help || rest.Contains("--help") && !AfterPositional(rest, command))
            {
                Help.PrintCommand(ctx.Out, command);
                return 0;
            }
            // -h is help too, where the verb has no -h of its own (run's is --hostname).
            var helpShort = command.Flags.Any(x => x.Short == 'h') ? '\0' : 'h';
            parsed = FlagParser.Parse(rest, [.. command.Flags, Flag.Bool("help", helpShort, "Print usage")], command.Interspersed);
            if (parsed.Bool("help"))
            {
                Help.PrintCommand(ctx.Out, command);
                return 0;
            }
            if (parsed.Args.Count < command.MinArgs || parsed.Args.Count > command.MaxArgs)
            {
                var need = command.MinArgs == command.MaxArgs
                    ? (command.MinArgs == 0 ? "accepts no arguments" : $"requires exactly {command.MinArgs} argument{(command.MinArgs == 1 ? "" : "s")}")
                    : command.MaxArgs == int.MaxValue
                        ? $"requires at least {command.MinArgs} argument{(command.MinArgs == 1 ? "" : "s")}"
                        : $"requires at least {command.MinArgs} and at most {command.MaxArgs} arguments";
                await ctx.Err.WriteLineAsync($"{CliInfo.Program}: '{CliInfo.Program} {command.Path}' {need}\n\n{usageLine}\n\nSee '{CliInfo.Program} {command.Path} --help' for more information").ConfigureAwait(false);
                return 1;
            }
        }
        catch (UsageException e)
        {
            // cobra's flag errors: docker exits 125 for every verb (checked with docker 28.2).
            await ctx.Err.WriteLineAsync($"{e.Message}\n\n{usageLine}\n\nRun '{CliInfo.Program} {command.Path} --help' for more information").ConfigureAwait(false);
            return 125;
        }
        try
        {
            return await command.Run(ctx, parsed).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            if (e.Message.Length > 0)
            {
                await ctx.Err.WriteLineAsync(e.Message).ConfigureAwait(false);
            }
            return e.ExitCode;
        }
        catch (DockerApiException e)
        {
            await ctx.Err.WriteLineAsync("Error response from daemon: " + e.Message).ConfigureAwait(false);
            return 1;
        }
        catch (DaemonUnreachableException e)
        {
            await ctx.Err.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }
        catch (JsonMessageException e)
        {
            await ctx.Err.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }
        catch (UsageException e)
        {
            await ctx.Err.WriteLineAsync($"{e.Message}\n\n{usageLine}\n\nRun '{CliInfo.Program} {command.Path} --help' for more information").ConfigureAwait(false);
            return 125;
        }
        catch (FormatException e)
        {
            await ctx.Err.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }
    }

    // `run IMAGE sh --help` passes --help to the container's command, not to run.
    private static bool AfterPositional(List<string> rest, Command command)
    {
        if (command.Interspersed)
        {
            return false;
        }
        try
        {
            var p = FlagParser.Parse(rest, [.. command.Flags, Flag.Bool("help", '\0', "")], false);
            return !p.Bool("help");
        }
        catch (UsageException)
        {
            return false;
        }
    }
}
