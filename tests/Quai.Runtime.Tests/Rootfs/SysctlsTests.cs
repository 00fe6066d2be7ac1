using Quai.Oci.Runtime;
using Quai.Runtime.Rootfs;

namespace Quai.Runtime.Tests.Rootfs;

public sealed class SysctlsTests
{
    private static Spec WithSysctl(string key, params string[] namespaces) => new()
    {
        Linux = new Oci.Runtime.Linux
        {
            Sysctl = new() { [key] = "1" },
            Namespaces = [.. namespaces.Select(n => new LinuxNamespace { Type = n })],
        },
    };

    [Theory]
    [InlineData("kernel.msgmax")]
    [InlineData("kernel.msgmnb")]
    [InlineData("kernel.msgmni")]
    [InlineData("kernel.sem")]
    [InlineData("kernel.shmall")]
    [InlineData("kernel.shmmax")]
    [InlineData("kernel.shmmni")]
    [InlineData("kernel.shm_rmid_forced")]
    [InlineData("fs.mqueue.queues_max")]
    public void Ipc_sysctls_need_an_ipc_namespace(string key)
    {
        Sysctls.Validate(WithSysctl(key, "ipc", "mount"));
        var e = Assert.Throws<ArgumentException>(() => Sysctls.Validate(WithSysctl(key, "network", "mount")));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains("ipc", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Net_sysctls_need_a_network_namespace()
    {
        Sysctls.Validate(WithSysctl("net.ipv4.ip_forward", "network"));
        var e = Assert.Throws<ArgumentException>(() => Sysctls.Validate(WithSysctl("net.ipv4.ip_forward", "ipc")));
        Assert.Contains("net.ipv4.ip_forward", e.Message, StringComparison.Ordinal);
        Assert.Contains("network", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_joined_namespace_counts_as_the_containers_own()
    {
        var spec = WithSysctl("net.core.somaxconn");
        spec.Linux!.Namespaces = [new LinuxNamespace { Type = "network", Path = "/proc/1234/ns/net" }];
        Sysctls.Validate(spec);
    }

    [Theory]
    [InlineData("kernel.panic")]
    [InlineData("vm.swappiness")]
    [InlineData("kernel.msgmaxx")]
    [InlineData("fs.file-max")]
    public void Global_sysctls_are_refused_whatever_the_namespaces(string key)
    {
        var e = Assert.Throws<ArgumentException>(() => Sysctls.Validate(WithSysctl(key, "ipc", "network", "uts", "mount", "pid")));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains("not namespaced", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uts_sysctls_need_a_uts_namespace()
    {
        Sysctls.Validate(WithSysctl("kernel.domainname", "uts"));
        Assert.Throws<ArgumentException>(() => Sysctls.Validate(WithSysctl("kernel.hostname", "ipc")));
    }

    [Theory]
    [InlineData("kernel.shmmax", "/proc/sys/kernel/shmmax")]
    [InlineData("net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward")]
    [InlineData("net/ipv4/conf/eth0.100/forwarding", "/proc/sys/net/ipv4/conf/eth0.100/forwarding")]
    public void Keys_map_to_proc_sys_paths(string key, string path) => Assert.Equal(path, Sysctls.PathOf(key));

    [Theory]
    [InlineData("kernel..shmmax")]
    [InlineData("net/../../etc/passwd")]
    public void Keys_that_would_escape_proc_sys_are_refused(string key) =>
        Assert.Throws<ArgumentException>(() => Sysctls.PathOf(key));

    [Fact]
    public void No_sysctls_is_valid() => Sysctls.Validate(new Spec());
}
