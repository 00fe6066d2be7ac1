using Quai.Linux.Seccomp;

namespace Quai.Linux.Tests.Seccomp;

public class LibSeccompTests
{
    [Fact]
    public void LibraryLoadsAndReportsAVersion()
    {
        LibSeccomp.Preload();
        Assert.True(LibSeccomp.LibraryVersion >= new Version(2, 4, 0), $"libseccomp {LibSeccomp.LibraryVersion} is older than 2.4");
        Assert.True(LibSeccomp.SeccompApiGet() >= 1);
    }

    [Fact]
    public void NativeArchitectureIsTheProcesss()
    {
        var expected = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => "SCMP_ARCH_X86_64",
            System.Runtime.InteropServices.Architecture.Arm64 => "SCMP_ARCH_AARCH64",
            var other => throw new PlatformNotSupportedException(other.ToString()),
        };
        Assert.True(SeccompArchitectures.TryGet(expected, out var token, out _));
        Assert.Equal(token, LibSeccomp.SeccompArchNative());
    }

    [Fact]
    public void ArchitectureTableAgreesWithLibseccomp()
    {
        var known = 0;
        foreach (var name in SeccompArchitectures.SpecNames)
        {
            Assert.True(SeccompArchitectures.TryGet(name, out var token, out var libName));
            var resolved = LibSeccomp.SeccompArchResolveName(libName);
            // Architectures newer than the installed libseccomp resolve to 0; every other must agree.
            if (resolved != 0)
            {
                Assert.Equal(token, resolved);
                known++;
            }
        }
        Assert.True(known >= 19, $"only {known} architectures resolved");
        Assert.False(SeccompArchitectures.TryGet("SCMP_ARCH_VAX", out _, out _));
    }

    [Fact]
    public void SyscallNamesResolvePerArchitecture()
    {
        Assert.True(SeccompArchitectures.TryGet("SCMP_ARCH_X86_64", out var x64, out _));
        Assert.True(SeccompArchitectures.TryGet("SCMP_ARCH_AARCH64", out var arm64, out _));
        Assert.Equal(83, LibSeccomp.SeccompSyscallResolveNameArch(x64, "mkdir"));
        Assert.Equal(34, LibSeccomp.SeccompSyscallResolveNameArch(arm64, "mkdirat"));
        Assert.Equal(LibSeccomp.NrScmpError, LibSeccomp.SeccompSyscallResolveName("no_such_syscall"));
    }

    [Fact]
    public unsafe void FilterContextAcceptsRulesAndRefusesBadOnes()
    {
        using var filter = LibSeccomp.SeccompInit(SeccompActions.Allow);
        Assert.False(filter.IsInvalid);
        var mkdir = LibSeccomp.SeccompSyscallResolveName("mkdir");
        Assert.Equal(0, LibSeccomp.SeccompRuleAddArray(filter, SeccompActions.Errno(1), mkdir, 0, null));
        // A rule with the default action is refused (-EACCES), which is why SeccompProgram skips them.
        Assert.True(LibSeccomp.SeccompRuleAddArray(filter, SeccompActions.Allow, mkdir, 0, null) < 0);
        var cmp = new ScmpArgCmp { Arg = 7, Op = SeccompCompare.Equal, DatumA = 1 };
        Assert.Equal(-Errnos.EINVAL, LibSeccomp.SeccompRuleAddArray(filter, SeccompActions.Errno(1), mkdir, 1, &cmp));
        uint nnp;
        Assert.Equal(0, LibSeccomp.SeccompAttrGet(filter, SeccompFilterAttribute.CtlNnp, &nnp));
        Assert.Equal(1u, nnp);
    }

    [Fact]
    public void ThrowIfErrorNamesTheCall()
    {
        Assert.Equal(3, LibSeccomp.ThrowIfError(3, "seccomp_load"));
        var e = Assert.Throws<LinuxException>(() => LibSeccomp.ThrowIfError(-Errnos.EINVAL, "seccomp_load", "filter"));
        Assert.Equal(Errnos.EINVAL, e.Errno);
        Assert.StartsWith("seccomp_load filter", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ActionValuesAreLibseccomps()
    {
        Assert.Equal(0x00050001u, SeccompActions.Errno(1));
        Assert.Equal(0x0005ffffu, SeccompActions.Errno(0x1ffff));
        Assert.Equal(0x7ff00026u, SeccompActions.Trace(38));
    }
}
