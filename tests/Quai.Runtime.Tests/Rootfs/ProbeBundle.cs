using System.Diagnostics;
using System.Text.Json;
using Quai.Linux;
using Quai.Oci;
using Quai.Oci.Runtime;
using Quai.Testing;

namespace Quai.Runtime.Tests.Rootfs;

/// <summary>
/// A busybox bundle run through tests/rootfs-probe under unshare(1): the probe prepares the rootfs
/// with RootfsSetup in fresh mount/uts/ipc/net/pid/cgroup namespaces and execs a shell script
/// whose "KEY=value" lines the tests assert on.
/// </summary>
public sealed class ProbeBundle : IDisposable
{
    private readonly TempDir _dir;

    public ProbeBundle(string script)
    {
        Quai.Testing.Root.Require();
        _dir = new TempDir("quai-rootfs");
        Rootfs = _dir.Combine("rootfs");
        Busybox.CreateRootfs(Rootfs);
        Spec = DefaultSpec(script);
    }

    /// <summary>The bundle directory (config.json is written here).</summary>
    public string Path => _dir.Path;

    /// <summary>The rootfs directory inside the bundle.</summary>
    public string Rootfs { get; }

    /// <summary>The config that <see cref="Run"/> writes; tests adjust it first.</summary>
    public Spec Spec { get; }

    /// <summary>A path inside the bundle directory (outside the rootfs).</summary>
    public string Combine(params string[] parts) => _dir.Combine(parts);

    /// <summary>What runc spec generates, trimmed to what a busybox container needs.</summary>
    public static Spec DefaultSpec(string script) => new()
    {
        Process = new Oci.Runtime.Process
        {
            Args = ["/bin/sh", "-c", script],
            Env = ["PATH=/bin:/usr/bin:/sbin", "HOME=/root"],
            Cwd = "/",
        },
        Root = new Oci.Runtime.Root { Path = "rootfs" },
        Mounts =
        [
            new() { Destination = "/proc", Type = "proc", Source = "proc" },
            new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
            new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
            new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
            new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
            new() { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["nosuid", "noexec", "nodev", "relatime", "ro"] },
        ],
        Linux = new Oci.Runtime.Linux
        {
            Namespaces =
            [
                new() { Type = "pid" }, new() { Type = "network" }, new() { Type = "ipc" },
                new() { Type = "uts" }, new() { Type = "mount" }, new() { Type = "cgroup" },
            ],
            MaskedPaths =
            [
                "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
            ],
            ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
        },
    };

    /// <summary>
    /// Writes config.json and runs the probe in new namespaces; <paramref name="wrapper"/> runs
    /// before unshare (e.g. setpriv to drop a capability). Checks that no mount of this bundle is
    /// left on the host afterwards.
    /// </summary>
    public ProbeResult Run(string[]? probeArgs = null, string[]? wrapper = null)
    {
        File.WriteAllText(Combine("config.json"), JsonSerializer.Serialize(Spec, OciJsonContext.Default.Spec));
        var command = new List<string>(wrapper ?? []);

        // Mount, UTS, IPC and PID namespaces always (a bug must never reach the host's); network
        // and cgroup as the config asks, so that both cases of each can be tested.
        command.AddRange(["unshare", "--mount", "--uts", "--ipc", "--pid", "--fork", "--kill-child", "--propagation", "unchanged"]);
        if (Spec.Linux?.Namespaces?.Any(n => n.Type == "network") == true)
        {
            command.Add("--net");
        }
        if (Spec.Linux?.Namespaces?.Any(n => n.Type == "cgroup") == true)
        {
            command.Add("--cgroup");
        }
        command.AddRange([DotnetHost, System.IO.Path.Combine(AppContext.BaseDirectory, "rootfs-probe.dll"), Path]);
        command.AddRange(probeArgs ?? []);

        var start = new ProcessStartInfo(command[0], command.Skip(1))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // runtime-notes trap 6: no diagnostics socket from a .NET PID 1.
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"rootfs-probe for {Path} did not finish in 60 s; stderr: {stderr.Result}");
        }
        var leaked = MountInfo.ReadSelf().Where(m => Quai.Runtime.Rootfs.RootfsSetup.IsWithin(m.MountPoint, Path)).Select(m => m.MountPoint).ToList();
        Assert.True(leaked.Count == 0, $"mounts left on the host: {string.Join(", ", leaked)}");
        return new ProbeResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Runs the same bundle with runc (`runc run`, state in the bundle directory) for side-by-side
    /// comparison; runc makes and removes its own cgroup.
    /// </summary>
    public ProbeResult RunWithRunc()
    {
        File.WriteAllText(Combine("config.json"), JsonSerializer.Serialize(Spec, OciJsonContext.Default.Spec));
        var id = "quai-rootfs-" + System.IO.Path.GetFileName(Path);
        var start = new ProcessStartInfo("runc", ["--root", Combine("runc-state"), "run", "--bundle", Path, id])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            using var delete = System.Diagnostics.Process.Start("runc", ["--root", Combine("runc-state"), "delete", "--force", id]);
            delete.WaitForExit();
            throw new TimeoutException($"runc run for {Path} did not finish in 60 s; stderr: {stderr.Result}");
        }
        return new ProbeResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose()
    {
        // Never recurse into a leaked bind mount of a host directory while deleting.
        foreach (var m in MountInfo.ReadSelf().Where(m => Quai.Runtime.Rootfs.RootfsSetup.IsWithin(m.MountPoint, Path)).Reverse())
        {
            Mounts.TryDetach(m.MountPoint);
        }
        _dir.Dispose();
    }

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
}
