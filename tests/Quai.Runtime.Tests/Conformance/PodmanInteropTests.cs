using Quai.Testing;

namespace Quai.Runtime.Tests.Conformance;

/// <summary>
/// Debian's podman driving a runtime through --runtime (tests/interop/podman-runtime.sh): run,
/// -it, exec, pause/unpause, stop, --memory OOM and --pids-limit, on a private podman storage
/// under a temp dir. runc is the reference.
/// </summary>
public sealed class PodmanInteropTests
{
    /// <summary>The runtimes the script compares.</summary>
    public static TheoryData<string> PodmanRuntimes => ["runc", "quai"];

    [Theory]
    [MemberData(nameof(PodmanRuntimes))]
    public void Podman_runs_containers_with_the_runtime(string runtime)
    {
        Testing.Root.Require();
        var script = Path.Combine(RuntimeUnderTest.RepoRoot(), "tests", "interop", "podman-runtime.sh");
        if (runtime == "quai")
        {
            // Fails with the same clear message as every other quai case when it is not built.
            RuntimeUnderTest.Get(runtime);
        }
        var parent = Directory.CreateTempSubdirectory("quai-podman-");
        try
        {
            // The script refuses an existing directory: give it a fresh one inside ours.
            var state = Path.Combine(parent.FullName, "p");
            var r = RuntimeUnderTest.Exec(["/usr/bin/env", $"QUAI_PODMAN_DIR={state}", "/bin/bash", script, runtime], TimeSpan.FromMinutes(3));
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains("8 passed, 0 failed", r.Stdout, StringComparison.Ordinal);
            Assert.False(Directory.Exists(state), $"the interop script left {state} behind");
        }
        finally
        {
            parent.Delete(recursive: true);
        }
    }
}
