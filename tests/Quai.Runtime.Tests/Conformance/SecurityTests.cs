using Quai.Oci.Runtime;
using Quai.Testing;

namespace Quai.Runtime.Tests.Conformance;

/// <summary>
/// Capabilities, seccomp, masked and read-only paths, no_new_privs (config.md#linux-process,
/// config-linux.md#seccomp, #masked-paths, #readonly-paths).
/// </summary>
public sealed class SecurityTests
{
    // CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29): capabilities(7) numbers.
    private const string DefaultCapMask = "0000000020000420";

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Capabilities_are_exactly_the_configured_set(string runtime)
    {
        var r = ConformanceContainer.RunScript(runtime, "grep -E '^Cap(Eff|Bnd|Prm)' /proc/self/status");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"CapPrm:\t{DefaultCapMask}\nCapEff:\t{DefaultCapMask}\nCapBnd:\t{DefaultCapMask}\n", r.Stdout);
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Chown_fails_without_CAP_CHOWN_and_works_with_it(string runtime)
    {
        const string Script = "touch /tmp/f && chown 65534 /tmp/f";
        var denied = ConformanceContainer.RunScript(runtime, Script);
        Assert.True(denied.ExitCode != 0 && denied.Stderr.Contains("Operation not permitted", StringComparison.Ordinal), denied.ToString());

        // The control: the same command with CAP_CHOWN granted succeeds.
        var allowed = ConformanceContainer.RunScript(runtime, Script, spec =>
        {
            var caps = spec.Process!.Capabilities!;
            foreach (var set in new[] { caps.Bounding!, caps.Effective!, caps.Permitted! })
            {
                set.Add("CAP_CHOWN");
            }
        });
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void A_seccomp_filter_denies_mkdir(string runtime)
    {
        var r = ConformanceContainer.RunScript(runtime, "touch /tmp/allowed && mkdir /tmp/denied", spec =>
            spec.Linux!.Seccomp = new LinuxSeccomp
            {
                DefaultAction = "SCMP_ACT_ALLOW",
                Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"],
                // Both syscalls: busybox's mkdir may use either (syscalls(2)).
                Syscalls = [new LinuxSyscall { Names = ["mkdir", "mkdirat"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 1 }],
            });
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains("Operation not permitted", r.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void A_seccomp_filter_applies_to_the_process_not_the_runtime_setup(string runtime)
    {
        // Profiles deny syscalls the runtime's own init may use (runtime-tools' default profile
        // allows only a few): the runtime must finish its setup (here: marking inherited fds
        // close-on-exec with close_range(2)) before it loads the filter, as runc and crun do.
        var r = ConformanceContainer.RunScript(runtime, "echo ran", spec =>
            spec.Linux!.Seccomp = new LinuxSeccomp
            {
                DefaultAction = "SCMP_ACT_ALLOW",
                Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"],
                Syscalls = [new LinuxSyscall { Names = ["close_range"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 1 }],
            });
        Assert.True(r.ExitCode == 0 && r.Stdout == "ran\n", r.ToString());
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Masked_paths_read_empty(string runtime)
    {
        // Only what this kernel has: a runtime masks paths that exist and skips the others.
        var files = new[] { "/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug", "/proc/latency_stats" }.Where(File.Exists).ToList();
        var dirs = new[] { "/proc/acpi", "/proc/scsi", "/sys/firmware" }.Where(Directory.Exists).ToList();
        Assert.Contains("/proc/timer_list", files);
        Assert.NotEmpty(File.ReadAllText("/proc/timer_list"));
        var script = string.Join("; ", files.Select(f => $"echo {f} $(cat {f} | wc -c)").Concat(dirs.Select(d => $"echo {d} $(ls -A {d} | wc -l)")));
        var r = ConformanceContainer.RunScript(runtime, script);
        Assert.True(r.ExitCode == 0, r.ToString());
        var expected = string.Concat(files.Concat(dirs).Select(p => $"{p} 0\n"));
        Assert.Equal(expected, r.Stdout);
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Proc_sys_is_read_only(string runtime)
    {
        var r = ConformanceContainer.RunScript(runtime, "echo evil > /proc/sys/kernel/hostname");
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains("Read-only file system", r.Stderr, StringComparison.Ordinal);
        Assert.NotEqual("evil", File.ReadAllText("/proc/sys/kernel/hostname").Trim());
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void No_new_privileges_holds(string runtime)
    {
        var r = ConformanceContainer.RunScript(runtime, "grep NoNewPrivs /proc/self/status");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("NoNewPrivs:\t1\n", r.Stdout);
    }
}
