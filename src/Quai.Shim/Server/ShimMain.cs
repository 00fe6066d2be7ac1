using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Shim.Server;

/// <summary>
/// quai-shim's entry point. The first process only re-spawns itself in a new session with
/// --daemonized and exits: its parent (quaid) reaps it at once, and the shim that stays is
/// reparented to init, so it is nobody's zombie when it ends and outlives quaid (the double fork
/// of daemon(7); containerd-shim's "start" does the same). quaid's launcher skips that stage: it
/// passes --daemonized itself, spawns the shim in a new session and reaps it (ShimReaper).
/// </summary>
public static class ShimMain
{
    private const int ReportFd = 3;
    private const int CLOSE_RANGE_CLOEXEC = 4;

    /// <summary>Runs quai-shim with <paramref name="args"/>; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        // Nothing the shim inherited past fd 2 may reach the runtime or the container, fd 3 included
        // (the launcher would never see end of file otherwise).
        Libc.CloseRange(ReportFd, uint.MaxValue, CLOSE_RANGE_CLOEXEC);
        ShimConfig config;
        try
        {
            config = ShimConfig.Parse(args);
        }
        catch (ArgumentException e)
        {
            ShimServer.Report(ReportFd, $"error {e.Message}");
            return 2;
        }
        try
        {
            Directory.CreateDirectory(config.StateDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (IOException e)
        {
            ShimServer.Report(ReportFd, $"error quai-shim: cannot create the state directory {config.StateDir}: {e.Message}");
            return 1;
        }
        if (!config.Daemonized)
        {
            return Daemonize(args);
        }
        // A daemon keeps no directory busy (daemon(7)); every path in the config is absolute.
        Libc.Chdir("/");
        using var server = new ShimServer(config);
        return server.Run(ReportFd);
    }

    private static int Daemonize(string[] args)
    {
        var self = Environment.ProcessPath;
        if (self is null)
        {
            ShimServer.Report(ReportFd, "error quai-shim: cannot find its own executable (/proc/self/exe)");
            return 1;
        }
        try
        {
            using var devnull = FdIo.Open("/dev/null", Libc.O_RDWR);
            const int F_GETFD = 1;
            using var report = FdIo.DupAbove(Libc.Fcntl(ReportFd, F_GETFD, 0) == -1 ? devnull.Fd : ReportFd, 10);
            Spawn.Start(self, [self, .. args, "--daemonized"], Spawn.CurrentEnvironment(), [(devnull.Fd, 0), (devnull.Fd, 1), (devnull.Fd, 2), (report.Fd, ReportFd)], newSession: true);
            return 0;
        }
        catch (IOException e)
        {
            ShimServer.Report(ReportFd, $"error quai-shim: cannot start its daemon process: {e.Message}");
            return 1;
        }
    }
}
