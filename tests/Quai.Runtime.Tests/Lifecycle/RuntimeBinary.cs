using System.Diagnostics;

namespace Quai.Runtime.Tests.Lifecycle;

/// <summary>
/// The published quai-runtime (Native AOT) the lifecycle tests drive as a black box: found at
/// $QUAI_BIN_DIR/quai-runtime, else &lt;repo&gt;/artifacts/bin/quai-runtime (./scripts/publish.sh).
/// </summary>
public static class RuntimeBinary
{
    /// <summary>The binary's path; throws with the command that builds it when absent.</summary>
    public static string Path
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("QUAI_BIN_DIR") ?? System.IO.Path.Combine(RepoRoot(), "artifacts", "bin");
            var path = System.IO.Path.Combine(dir, "quai-runtime");
            return File.Exists(path)
                ? path
                : throw new InvalidOperationException($"{path} is missing: build it with ./scripts/publish.sh (or dotnet publish src/quai-runtime -c Release -o DIR and set QUAI_BIN_DIR=DIR)");
        }
    }

    /// <summary>
    /// Runs quai-runtime with <paramref name="args"/>; stdout and stderr go to files, not pipes,
    /// because a created container's init inherits them and would keep a pipe open.
    /// </summary>
    public static (int Code, string Out, string Err) Run(string scratch, params string[] args) => RunWithRedirections(scratch, null, args);

    /// <summary>As <see cref="Run"/>, with extra shell redirections (e.g. "3&lt;/path").</summary>
    public static (int Code, string Out, string Err) RunWithRedirections(string scratch, string? redirections, params string[] args) =>
        RunBinary(Path, scratch, redirections, args);

    /// <summary>As <see cref="RunWithRedirections"/>, running the quai-runtime at <paramref name="binary"/> (e.g. a test's private copy).</summary>
    public static (int Code, string Out, string Err) RunBinary(string binary, string scratch, string? redirections, params string[] args)
    {
        var id = Guid.NewGuid().ToString("N");
        var outFile = System.IO.Path.Combine(scratch, $"{id}.out");
        var errFile = System.IO.Path.Combine(scratch, $"{id}.err");
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"exec \"$0\" \"$@\" </dev/null >'{outFile}' 2>'{errFile}' {redirections}");
        psi.ArgumentList.Add(binary);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"quai-runtime {string.Join(' ', args)} did not finish in 60s");
        }
        return (p.ExitCode, File.ReadAllText(outFile), File.ReadAllText(errFile));
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Quai.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException($"no Quai.slnx above {AppContext.BaseDirectory}: set QUAI_BIN_DIR");
    }
}
