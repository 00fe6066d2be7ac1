using System.Runtime.InteropServices;
using Quai.Linux;
using Quai.Runtime.Terminal;

namespace Quai.Runtime.Cli.Verbs;

/// <summary>`run [create options] [--detach] [--keep] ID`: create, start, wait, delete; exits with the container's status.</summary>
public static class RunVerb
{
    public static readonly Verb Definition = new("run", "[options] <container-id>", "create and start a container, wait for it, delete it",
        [.. CreateVerb.Flags, new("detach", 'd'), new("keep")], 1, 1, Run);

    private static int Run(CliContext context, ParsedArgs args)
    {
        var options = CreateVerb.Options(args);
        var detach = args.Has("detach");
        var bundleSpec = Container.SpecLoader.Load(Path.GetFullPath(options.Bundle));
        var ownConsole = bundleSpec.Process?.Terminal == true && options.ConsoleSocket is null && !detach;
        var (ours, theirs) = ownConsole ? UnixSocket.Pair() : (null, null);
        using (ours)
        {
            using (theirs)
            {
                options.ConsoleSocketFd = theirs?.Fd;
                var pid = context.Creator().Create(options);
                theirs?.Dispose();
                using var relay = ours is not null ? ConsoleRelay.Receive(ours.Fd) : null;
                var record = context.Store.Load(options.Id);
                try
                {
                    context.Service.Start(options.Id);
                }
                catch (RuntimeException)
                {
                    context.Service.Delete(options.Id, force: true);
                    throw;
                }
                if (detach)
                {
                    return 0;
                }
                var status = WaitForwardingSignals(pid);
                if (!args.Has("keep"))
                {
                    context.Service.Cleanup(record);
                }
                return status.ShellExitCode;
            }
        }
    }

    /// <summary>Waits for our child <paramref name="pid"/>, passing SIGINT, SIGTERM, SIGHUP and SIGQUIT on to it.</summary>
    public static WaitStatus WaitForwardingSignals(int pid)
    {
        var registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
            .Select(s => PosixSignalRegistration.Create(s, ctx =>
            {
                ctx.Cancel = true;
                ProcessInfo.Signal(pid, SignalNumber(ctx.Signal));
            }))
            .ToList();
        try
        {
            return Spawn.Wait(pid);
        }
        finally
        {
            registrations.ForEach(r => r.Dispose());
        }
    }

    private static int SignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => Signals.SIGINT,
        PosixSignal.SIGTERM => Signals.SIGTERM,
        PosixSignal.SIGHUP => Signals.SIGHUP,
        PosixSignal.SIGQUIT => 3,
        _ => (int)signal,
    };
}
