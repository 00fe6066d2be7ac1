using Quai.Linux.Capabilities;
using Quai.Oci.Runtime;
using Quai.Runtime.Security;
using Quai.Testing;

namespace Quai.Runtime.Tests.Security;

/// <summary>
/// Loading filters in this process, each on a dedicated thread that then ends: a seccomp filter
/// (without TSYNC) and the capability sets belong to one thread (seccomp(2), capabilities(7)).
/// </summary>
public class SeccompLoadTests
{
    [Fact]
    public void FilterActsOnTheLoadingThreadOnly()
    {
        Quai.Testing.Root.Require();
        using var dir = new TempDir();
        using var program = SeccompProgram.Compile(new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls = [new LinuxSyscall { Names = ["mkdir", "mkdirat"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 13 }],
        });
        var denied = OnOwnThread(() =>
        {
            program.Load();
            return Assert.ThrowsAny<UnauthorizedAccessException>(() => Directory.CreateDirectory(dir.Combine("on-filtered-thread")));
        });
        Assert.NotNull(denied);
        Directory.CreateDirectory(dir.Combine("on-test-thread"));
        Assert.True(Directory.Exists(dir.Combine("on-test-thread")));
    }

    [Fact]
    public void LoadingWithoutNoNewPrivsOrSysAdminExplainsTheOrder()
    {
        Quai.Testing.Root.Require();
        using var program = SeccompProgram.Compile(new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = [new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_ERRNO" }] });
        var e = OnOwnThread(() =>
        {
            var sets = ThreadCapabilities.Get();
            var withoutSysAdmin = sets.Effective & ~(1UL << 21);
            ThreadCapabilities.Set(withoutSysAdmin, sets.Permitted, sets.Inheritable);
            return Assert.Throws<InvalidOperationException>(program.Load);
        });
        Assert.Contains("CAP_SYS_ADMIN", e.Message, StringComparison.Ordinal);
        Assert.Contains("noNewPrivileges", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cached_filter_is_the_same_program_and_acts_the_same()
    {
        Quai.Testing.Root.Require();
        using var dir = new TempDir();
        var cache = dir.Combine("cache");
        var spec = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls = [new LinuxSyscall { Names = ["mkdir", "mkdirat", "no_such_syscall_here"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 13 }],
        };
        using var compiled = SeccompProgram.Compile(spec, cacheDirectory: cache);
        var warnings = new List<string>();
        using var cached = SeccompProgram.Compile(spec, warnings.Add, cacheDirectory: cache);

        Assert.False(compiled.FromCache);
        Assert.True(cached.FromCache);
        Assert.Equal(compiled.ExportBpf(), cached.ExportBpf());
        Assert.Equal(compiled.DefaultAction, cached.DefaultAction);
        Assert.Equal(compiled.RuleCount, cached.RuleCount);
        Assert.Equal(["no_such_syscall_here"], cached.UnknownSyscalls);
        Assert.Contains(warnings, w => w.Contains("no_such_syscall_here", StringComparison.Ordinal));
        var denied = OnOwnThread(() =>
        {
            cached.Load();
            return Assert.ThrowsAny<UnauthorizedAccessException>(() => Directory.CreateDirectory(dir.Combine("on-filtered-thread")));
        });
        Assert.NotNull(denied);
        Directory.CreateDirectory(dir.Combine("on-test-thread"));

        // Another profile is another entry; a damaged entry is a miss, not an error.
        var other = new LinuxSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Syscalls = [new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_ERRNO" }] };
        using (var third = SeccompProgram.Compile(other, cacheDirectory: cache))
        {
            Assert.False(third.FromCache);
        }
        Assert.Equal(2, Directory.GetFiles(cache, "*.bpf").Length);
        foreach (var f in Directory.GetFiles(cache, "*.bpf"))
        {
            File.WriteAllText(f, "garbage");
        }
        using var recompiled = SeccompProgram.Compile(spec, cacheDirectory: cache);
        Assert.False(recompiled.FromCache);
        Assert.Equal(compiled.ExportBpf(), recompiled.ExportBpf());

        // Not cached: flags and notify change how the filter is loaded.
        var logged = new LinuxSeccomp { DefaultAction = spec.DefaultAction, Syscalls = spec.Syscalls, Flags = ["SECCOMP_FILTER_FLAG_LOG"] };
        using var flagged = SeccompProgram.Compile(logged, cacheDirectory: dir.Combine("cache2"));
        Assert.False(Directory.Exists(dir.Combine("cache2")));
    }

    private static T OnOwnThread<T>(Func<T> body)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = body();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        return error is null ? result : throw new InvalidOperationException("the test thread failed: " + error.Message, error);
    }
}
