using System.Globalization;
using System.Text.Json;
using Quai.Linux;
using Quai.Oci;
using Quai.Runtime.Container;
using Quai.Runtime.Terminal;
using OciProcess = Quai.Oci.Runtime.Process;

namespace Quai.Runtime.Cli.Verbs;

/// <summary>`exec [--process F | options] ID [COMMAND ARGS...]`: runs a process in a running container.</summary>
public static class ExecVerb
{
    public static readonly Verb Definition = new("exec", "[options] <container-id> [command [args...]]", "run a process in a running container",
    [
        new("process", 'p', TakesValue: true),
        new("tty", 't'),
        new("console-socket", TakesValue: true),
        new("detach", 'd'),
        new("pid-file", TakesValue: true),
        new("cwd", TakesValue: true),
        new("env", 'e', TakesValue: true, Repeatable: true),
        new("user", 'u', TakesValue: true),
        new("additional-gids", 'g', TakesValue: true, Repeatable: true),
        new("cap", 'c', TakesValue: true, Repeatable: true),
        new("no-new-privs"),
        new("preserve-fds", TakesValue: true),
        new("apparmor", TakesValue: true),
        new("process-label", TakesValue: true),
        new("ignore-paused"),
        new("cgroup", TakesValue: true, Repeatable: true),
    ], 1, int.MaxValue, Run);

    private static int Run(CliContext context, ParsedArgs args)
    {
        var id = args.Positionals[0];
        var (record, _) = context.Service.Load(id);
        var process = BuildProcess(context.Service.LoadSpec(record).Process, args);
        var detach = args.Has("detach");
        var ownConsole = process.Terminal && args.Get("console-socket") is null && !detach;
        var (ours, theirs) = ownConsole ? UnixSocket.Pair() : (null, null);
        using (ours)
        {
            int pid;
            using (theirs)
            {
                pid = ContainerExec.Start(context.Service, new ExecOptions
                {
                    Id = id,
                    Process = process,
                    ConsoleSocket = args.Get("console-socket"),
                    ConsoleSocketFd = theirs?.Fd,
                    Detach = detach,
                    PidFile = args.Get("pid-file"),
                    PreserveFds = InitLauncher.FdsToKeep(args.GetInt("preserve-fds", 0)),
                });
            }
            if (detach)
            {
                return 0;
            }
            using var relay = ours is not null ? ConsoleRelay.Receive(ours.Fd) : null;
            return RunVerb.WaitForwardingSignals(pid).ShellExitCode;
        }
    }

    /// <summary>
    /// The process to exec: --process FILE as is, or the container's process with the command
    /// line's args, env (added or replacing by key), cwd, user, capabilities, tty and no-new-privs.
    /// </summary>
    public static OciProcess BuildProcess(OciProcess? defaults, ParsedArgs args)
    {
        if (args.Get("process") is { } file)
        {
            try
            {
                return Quai.Oci.Runtime.SpecJson.ParseProcess(File.ReadAllBytes(file));
            }
            catch (JsonException e)
            {
                throw new RuntimeException($"--process {file} is not a valid OCI process JSON: {e.Message}", e);
            }
        }
        var baseline = defaults is null ? new OciProcess() : Quai.Oci.Runtime.SpecJson.ParseProcess(Store.RuntimeRecordJson.ToBytes(w => Quai.Oci.Runtime.SpecJson.Write(w, defaults)));
        baseline.Args = [.. args.Positionals.Skip(1)];
        baseline.Terminal = args.Has("tty");
        baseline.ConsoleSize = null;
        if (args.Get("cwd") is { } cwd)
        {
            baseline.Cwd = cwd;
        }
        var env = baseline.Env ?? [];
        foreach (var kv in args.GetAll("env"))
        {
            var key = kv.Split('=')[0] + "=";
            env.RemoveAll(e => e.StartsWith(key, StringComparison.Ordinal));
            env.Add(kv);
        }
        baseline.Env = env;
        if (args.Get("user") is { } user)
        {
            var parts = user.Split(':');
            baseline.User = new Oci.Runtime.User
            {
                Uid = ParseId(parts[0], "--user"),
                Gid = parts.Length > 1 ? ParseId(parts[1], "--user") : 0,
            };
        }
        if (args.GetAll("additional-gids") is { Count: > 0 } gids)
        {
            baseline.User.AdditionalGids = [.. gids.Select(g => ParseId(g, "--additional-gids"))];
        }
        if (args.GetAll("cap") is { Count: > 0 } caps)
        {
            var c = baseline.Capabilities ??= new Oci.Runtime.Capabilities();
            foreach (var cap in caps)
            {
                foreach (var set in new[] { c.Bounding ??= [], c.Effective ??= [], c.Permitted ??= [], c.Ambient ??= [] })
                {
                    if (!set.Contains(cap))
                    {
                        set.Add(cap);
                    }
                }
            }
        }
        if (args.Has("no-new-privs"))
        {
            baseline.NoNewPrivileges = true;
        }
        if (args.Get("apparmor") is { } apparmor)
        {
            baseline.ApparmorProfile = apparmor;
        }
        if (args.Get("process-label") is { } label)
        {
            baseline.SelinuxLabel = label;
        }
        return baseline;
    }

    private static uint ParseId(string text, string flag) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id
        : throw new RuntimeException($"{flag} {text}: use numeric ids (uid[:gid]); names are not resolved");
}
