namespace Quai.E2E.Tests.Infra;

/// <summary>quaid from the published binaries, on a private data root, exec root, socket and cgroup parent.</summary>
public sealed class QuaidDaemon : Daemon
{
    public QuaidDaemon()
        : base("quaid")
    {
        File.WriteAllText(ConfigFile, "{}");
    }

    private string ConfigFile => Path.Combine(Dir, "daemon.json");

    protected override (string File, IEnumerable<string> Args) Command() => (Binaries.Get("quaid"),
    [
        "-H", "unix://" + Socket,
        "--data-root", DataRoot,
        "--exec-root", ExecRoot,
        "--config-file", ConfigFile,
        "--pidfile", Path.Combine(Dir, "quaid.pid"),
        "--cgroup-parent", "/" + Path.GetFileName(Dir),
    ]);
}
