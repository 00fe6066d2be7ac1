using Quai.Engine;
using Quai.Engine.Security;
using Quai.Oci.Runtime;

namespace Quai.Api.Tests.Engine;

/// <summary>The builtin profile resolved per capability set and architecture, and --security-opt parsing.</summary>
public sealed class SeccompProfileTests
{
    private static readonly Version Kernel = new(6, 1);

    // docker's default capability set.
    private static readonly string[] DockerDefaultCaps =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    private static LinuxSeccomp Resolve(IReadOnlyCollection<string> caps, string arch = "amd64", Version? kernel = null) =>
        SeccompProfileConverter.ToOci(DefaultSeccompProfile.Create(), caps, arch, kernel ?? Kernel);

    private static List<LinuxSyscall> RulesFor(LinuxSeccomp s, string name) => [.. s.Syscalls!.Where(r => r.Names.Contains(name))];

    [Fact]
    public void Default_caps_get_an_allow_list_without_namespaces_or_mounts()
    {
        var s = Resolve(DockerDefaultCaps);
        Assert.Equal("SCMP_ACT_ERRNO", s.DefaultAction);
        Assert.Equal(1u, s.DefaultErrnoRet);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], s.Architectures);
        Assert.Single(RulesFor(s, "read"));
        Assert.Empty(RulesFor(s, "mount"));
        Assert.Empty(RulesFor(s, "unshare"));
        Assert.Empty(RulesFor(s, "setns"));
        Assert.Empty(RulesFor(s, "bpf"));
        // clone only without CLONE_NEW* flags; clone3 answers ENOSYS so libc falls back to clone.
        var clone = Assert.Single(RulesFor(s, "clone"));
        var arg = Assert.Single(clone.Args!);
        Assert.Equal((0u, 0x7E020000ul, 0ul, "SCMP_CMP_MASKED_EQ"), (arg.Index, arg.Value, arg.ValueTwo, arg.Op));
        var clone3 = Assert.Single(RulesFor(s, "clone3"));
        Assert.Equal(("SCMP_ACT_ERRNO", 38u), (clone3.Action, clone3.ErrnoRet));
        // chown is a default capability's syscall; chroot comes with the default CAP_SYS_CHROOT.
        Assert.NotEmpty(RulesFor(s, "chroot"));
        Assert.Contains(RulesFor(s, "socket"), r => r.Args is [{ Value: 40, Op: "SCMP_CMP_NE" }]);
        Assert.NotEmpty(RulesFor(s, "arch_prctl"));
        Assert.Empty(RulesFor(s, "cacheflush"));
    }

    [Fact]
    public void Sys_admin_brings_back_mount_unshare_and_plain_clone()
    {
        var s = Resolve([.. DockerDefaultCaps, "CAP_SYS_ADMIN"]);
        Assert.NotEmpty(RulesFor(s, "mount"));
        Assert.NotEmpty(RulesFor(s, "unshare"));
        Assert.All(RulesFor(s, "clone"), r => Assert.Null(r.Args));
        Assert.All(RulesFor(s, "clone3"), r => Assert.Equal("SCMP_ACT_ALLOW", r.Action));
    }

    [Fact]
    public void Architecture_and_kernel_conditions_apply()
    {
        var arm = Resolve(DockerDefaultCaps, "arm64");
        Assert.Equal(["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], arm.Architectures);
        Assert.NotEmpty(RulesFor(arm, "cacheflush"));
        Assert.Empty(RulesFor(arm, "arch_prctl"));
        Assert.NotEmpty(RulesFor(Resolve(DockerDefaultCaps), "ptrace"));
        Assert.Empty(RulesFor(Resolve(DockerDefaultCaps, kernel: new Version(4, 4)), "ptrace"));
    }

    [Fact]
    public void Security_opts_are_parsed_and_bad_ones_refused()
    {
        var o = SecurityOptions.Parse(["no-new-privileges:true", "seccomp=unconfined", "apparmor=unconfined", "label=disable"]);
        Assert.True(o.NoNewPrivileges);
        Assert.True(o.SeccompUnconfined);
        var custom = SecurityOptions.Parse(["""seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}"""]);
        Assert.Equal("SCMP_ACT_ALLOW", custom.SeccompProfile!.DefaultAction);
        Assert.Equal(["mkdir"], SeccompProfileConverter.ToOci(custom.SeccompProfile, [], "amd64", Kernel).Syscalls!.Single().Names);
        Assert.Contains("bogus", Assert.Throws<EngineException>(() => SecurityOptions.Parse(["bogus=1"])).Message, StringComparison.Ordinal);
        Assert.Contains("seccomp profile", Assert.Throws<EngineException>(() => SecurityOptions.Parse(["seccomp={not json"])).Message, StringComparison.Ordinal);
        Assert.Throws<EngineException>(() => SecurityOptions.Parse(["no-new-privileges=maybe"]));
    }
}
