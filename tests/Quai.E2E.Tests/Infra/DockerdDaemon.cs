namespace Quai.E2E.Tests.Infra;

/// <summary>
/// Debian's dockerd (20.10) isolated as tests/interop/dockerd-runtime.sh does: its own data root,
/// exec root (where it starts its own containerd), socket and pid file; no bridge, no iptables,
/// so Docker's own /var/lib/docker and docker0 are never touched.
/// </summary>
public sealed class DockerdDaemon : Daemon
{
    public DockerdDaemon()
        : base("dockerd")
    {
        File.WriteAllText(ConfigFile, "{}");
    }

    private string ConfigFile => Path.Combine(Dir, "daemon.json");

    protected override (string File, IEnumerable<string> Args) Command() => ("dockerd",
    [
        "--config-file", ConfigFile,
        "--data-root", DataRoot,
        "--exec-root", ExecRoot,
        "--pidfile", Path.Combine(Dir, "docker.pid"),
        "-H", "unix://" + Socket,
        "--bridge=none", "--iptables=false", "--ip-masq=false", "--ip6tables=false", "--userland-proxy=false",
        "--cgroup-parent", "/" + Path.GetFileName(Dir),
        "--log-level", "warn",
    ]);
}
