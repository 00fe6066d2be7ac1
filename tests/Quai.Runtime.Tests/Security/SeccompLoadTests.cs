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
