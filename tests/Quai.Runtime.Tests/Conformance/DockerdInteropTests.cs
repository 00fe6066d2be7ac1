using Quai.Testing;

namespace Quai.Runtime.Tests.Conformance;

/// <summary>
/// Debian's dockerd driving a runtime through --add-runtime (tests/interop/dockerd-runtime.sh):
/// run, -it, exec, stop, pause/unpause, --memory OOM and --pids-limit, on a private dockerd
/// state under a temp dir. runc is the reference; crun is left out (dockerd would need the
/// hybrid-host wrapper as its runtime binary).
/// </summary>
public sealed class DockerdInteropTests
{
    /// <summary>The runtimes the script compares.</summary>
    public static TheoryData<string> DockerRuntimes => ["runc", "quai"];

    [Theory]
    [MemberData(nameof(DockerRuntimes))]
    public void Dockerd_runs_containers_with_the_runtime(string runtime)
    {
        Testing.Root.Require();
        var script = Path.Combine(RuntimeUnderTest.RepoRoot(), "tests", "interop", "dockerd-runtime.sh");
        if (runtime == "quai")
        {
            // Fails with the same clear message as every other quai case when it is not built.
            RuntimeUnderTest.Get(runtime);
        }
        var parent = Directory.CreateTempSubdirectory("quai-dockerd-");
        try
        {
            // The script refuses an existing state directory: give it a fresh one inside ours.
            var state = Path.Combine(parent.FullName, "d");
            var r = RuntimeUnderTest.Exec(["/usr/bin/env", $"QUAI_DOCKERD_DIR={state}", "/bin/bash", script, runtime], TimeSpan.FromMinutes(3));
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
