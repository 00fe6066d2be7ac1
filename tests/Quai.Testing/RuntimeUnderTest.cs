using System.Diagnostics;

namespace Quai.Testing;

/// <summary>
/// An OCI runtime binary driven as a black box through its runc-compatible command line:
/// "runc" and "crun" from PATH as references, "quai" from <c>$QUAI_BIN_DIR/quai-runtime</c>
/// (default <c>&lt;repo&gt;/artifacts/bin/quai-runtime</c>, what ./scripts/publish.sh makes).
/// </summary>
public sealed class RuntimeUnderTest
{
    /// <summary>
    /// crun 1.8.1 refuses a hybrid cgroup host ("cgroups in hybrid mode not supported"); in a
    /// private mount namespace without the cgroup2 mount at /sys/fs/cgroup/unified it sees a
    /// plain v1 host. The namespace is private to that one invocation, so --root and the bundle
    /// must be on paths every invocation sees (a temp dir, /run), never a mount made inside it.
    /// </summary>
    public const string HideUnifiedScript = "umount /sys/fs/cgroup/unified 2>/dev/null; exec \"$@\"";

    private readonly IReadOnlyList<string> _prefix;

    private RuntimeUnderTest(string name, string binaryPath, IReadOnlyList<string> prefix)
    {
        Name = name;
        BinaryPath = binaryPath;
        _prefix = prefix;
    }

    /// <summary>The runtimes every conformance case runs against.</summary>
    public static IReadOnlyList<string> Names { get; } = ["runc", "crun", "quai"];

    /// <summary>"runc", "crun" or "quai".</summary>
    public string Name { get; }

    /// <summary>The runtime executable itself (what a CVE-2019-5736 test checks is unchanged).</summary>
    public string BinaryPath { get; }

    /// <summary>
    /// Resolves a runtime by name. Throws (never skips, STYLE.md §9) when its binary is missing,
    /// naming the path looked at and how to make it.
    /// </summary>
    public static RuntimeUnderTest Get(string name)
    {
        switch (name)
        {
            case "runc":
                return new(name, FromPath("runc"), []);
            case "crun":
                var crun = FromPath("crun");
                return new(name, crun, ["/usr/bin/unshare", "-m", "/bin/sh", "-c", HideUnifiedScript, "sh", crun]);
            case "quai":
                var dir = Environment.GetEnvironmentVariable("QUAI_BIN_DIR");
                if (string.IsNullOrEmpty(dir))
                {
                    dir = Path.Combine(RepoRoot(), "artifacts", "bin");
                }
                var quai = Path.Combine(dir, "quai-runtime");
                if (!File.Exists(quai))
                {
                    throw new InvalidOperationException($"quai-runtime is not built: {quai} does not exist; run ./scripts/publish.sh (or set QUAI_BIN_DIR to the directory holding quai-runtime)");
                }
                return new(name, quai, []);
            default:
                throw new ArgumentException($"unknown runtime '{name}': expected one of {string.Join(", ", Names)}", nameof(name));
        }
    }

    /// <summary>The argv that runs this runtime with <paramref name="args"/> (wrapper included).</summary>
    public IReadOnlyList<string> CommandLine(IEnumerable<string> args) =>
        _prefix.Count == 0 ? [BinaryPath, .. args] : [.. _prefix, .. args];

    /// <summary>
    /// Runs the runtime with <paramref name="args"/>, its stdin from /dev/null (or
    /// <paramref name="stdinFile"/>) and stdout/stderr into files. Files, not pipes: a detached
    /// container inherits the runtime's stdio (`create`, `run -d`), and a pipe it holds would
    /// keep the reader waiting until the container exits.
    /// </summary>
    /// <param name="args">Arguments after the binary, global options first.</param>
    /// <param name="timeout">How long to wait before killing the runtime and throwing.</param>
    /// <param name="stdinFile">A file to feed as stdin.</param>
    /// <param name="wrapper">Extra argv put in front (e.g. a shell that opens an fd and execs).</param>
    public RuntimeResult Invoke(IEnumerable<string> args, TimeSpan? timeout = null, string? stdinFile = null, IEnumerable<string>? wrapper = null)
    {
        var argv = new List<string>(wrapper ?? []);
        argv.AddRange(CommandLine(args));
        return Exec(argv, timeout ?? TimeSpan.FromSeconds(30), stdinFile);
    }

    /// <summary>Runs any argv with stdio through files, as <see cref="Invoke"/> does.</summary>
    public static RuntimeResult Exec(IReadOnlyList<string> argv, TimeSpan timeout, string? stdinFile = null)
    {
        var io = Directory.CreateTempSubdirectory("quai-rt-io-");
        try
        {
            var stdout = Path.Combine(io.FullName, "stdout");
            var stderr = Path.Combine(io.FullName, "stderr");
            var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("i=$1 o=$2 e=$3; shift 3; exec \"$@\" <\"$i\" >\"$o\" 2>\"$e\"");
            psi.ArgumentList.Add("sh");
            psi.ArgumentList.Add(stdinFile ?? "/dev/null");
            psi.ArgumentList.Add(stdout);
            psi.ArgumentList.Add(stderr);
            foreach (var a in argv)
            {
                psi.ArgumentList.Add(a);
            }
            var line = string.Join(' ', argv.Select(Quote));
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start `{line}`");
            if (!p.WaitForExit(timeout))
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
                throw new TimeoutException($"`{line}` did not finish within {timeout.TotalSeconds} s (killed); stderr so far: {ReadOrEmpty(stderr)}");
            }
            return new RuntimeResult(line, p.ExitCode, ReadOrEmpty(stdout), ReadOrEmpty(stderr));
        }
        finally
        {
            io.Delete(recursive: true);
        }
    }

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    private static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@%+".Contains(c)) ? s : "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string FromPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':').Append("/usr/sbin").Append("/usr/bin"))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"{name} is not installed (not found in PATH): run ./scripts/deps.sh (apt-get install {name})");
    }

    /// <summary>The repository root: the nearest directory above the test binaries with Quai.slnx.</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Quai.slnx")))
            {
                return d.FullName;
            }
        }
        throw new InvalidOperationException($"no Quai.slnx above {AppContext.BaseDirectory}: set QUAI_BIN_DIR to the directory holding quai-runtime");
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
