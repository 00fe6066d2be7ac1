using System.Diagnostics;

namespace Quai.E2E.Tests.Infra;

/// <summary>
/// A detached shell (setsid) that outlives the test host: when the test process is gone and the
/// daemon's directory is still there (the run ended without disposing the shared daemons, or
/// crashed), it removes the containers, stops the daemon, kills what still runs out of the
/// directory, unmounts and deletes it, and removes the daemon's cgroup parent. xunit 2 has no assembly fixture and the test host is
/// torn down without running ProcessExit handlers, so this is the end-of-run cleanup.
/// </summary>
internal static class Watchdog
{
    // The directory comes through the environment, not the command line: the loop that kills
    // processes naming the directory must not find the watchdog itself.
    private const string Script = """
        exec >/dev/null 2>&1 </dev/null
        while kill -0 "$QE_TEST_PID" && [ -d "$QE_DIR" ]; do sleep 1; done
        [ -d "$QE_DIR" ] || exit 0
        export DOCKER_HOST="unix://$QE_DIR/d.sock" DOCKER_CONFIG="$QE_DIR/cli"
        ids=$(timeout 30 docker ps -aq)
        [ -z "$ids" ] || timeout 120 docker rm -f -v $ids
        pid=$(cat "$QE_DIR/daemon.pid.e2e")
        if [ -n "$pid" ] && kill "$pid"; then
          for _ in $(seq 1 300); do kill -0 "$pid" || break; sleep 0.1; done
          kill -9 "$pid"
        fi
        for p in /proc/[0-9]*; do
          tr '\0' ' ' < "$p/cmdline" | grep -q "$QE_DIR/" && kill -9 "${p#/proc/}"
        done
        sleep 0.5
        for _ in 1 2 3; do
          grep -o " $QE_DIR[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
        done
        rm -rf "$QE_DIR" "$QE_IMAGE_DIR"
        # The daemon's --cgroup-parent in every hierarchy (Daemon.RemoveCgroupParent does this
        # for the daemons a test disposes): leaves first, retried while killed processes leave.
        name=$(basename "$QE_DIR")
        for _ in $(seq 1 50); do
          left=0
          for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
            [ -d "$h/$name" ] || continue
            find "$h/$name" -depth -type d -exec rmdir {} \;
            [ -d "$h/$name" ] && left=1
          done
          [ "$left" = 0 ] && break
          sleep 0.1
        done
        """;

    /// <summary>Starts the watchdog of <paramref name="dir"/>.</summary>
    public static void Start(string dir, string imageDir)
    {
        var psi = new ProcessStartInfo("setsid") { ArgumentList = { "bash", "-c", Script }, UseShellExecute = false };
        psi.Environment["QE_DIR"] = dir;
        psi.Environment["QE_IMAGE_DIR"] = imageDir;
        psi.Environment["QE_TEST_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start the cleanup watchdog (setsid bash)");
    }
}
