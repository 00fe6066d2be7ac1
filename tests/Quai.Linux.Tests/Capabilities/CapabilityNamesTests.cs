using Quai.Linux.Capabilities;

namespace Quai.Linux.Tests.Capabilities;

public class CapabilityNamesTests
{
    // capabilities(7), linux/capability.h.
    public static TheoryData<string, int> Known => new()
    {
        { "CAP_CHOWN", 0 }, { "CAP_DAC_OVERRIDE", 1 }, { "CAP_DAC_READ_SEARCH", 2 }, { "CAP_FOWNER", 3 },
        { "CAP_FSETID", 4 }, { "CAP_KILL", 5 }, { "CAP_SETGID", 6 }, { "CAP_SETUID", 7 }, { "CAP_SETPCAP", 8 },
        { "CAP_LINUX_IMMUTABLE", 9 }, { "CAP_NET_BIND_SERVICE", 10 }, { "CAP_NET_BROADCAST", 11 },
        { "CAP_NET_ADMIN", 12 }, { "CAP_NET_RAW", 13 }, { "CAP_IPC_LOCK", 14 }, { "CAP_IPC_OWNER", 15 },
        { "CAP_SYS_MODULE", 16 }, { "CAP_SYS_RAWIO", 17 }, { "CAP_SYS_CHROOT", 18 }, { "CAP_SYS_PTRACE", 19 },
        { "CAP_SYS_PACCT", 20 }, { "CAP_SYS_ADMIN", 21 }, { "CAP_SYS_BOOT", 22 }, { "CAP_SYS_NICE", 23 },
        { "CAP_SYS_RESOURCE", 24 }, { "CAP_SYS_TIME", 25 }, { "CAP_SYS_TTY_CONFIG", 26 }, { "CAP_MKNOD", 27 },
        { "CAP_LEASE", 28 }, { "CAP_AUDIT_WRITE", 29 }, { "CAP_AUDIT_CONTROL", 30 }, { "CAP_SETFCAP", 31 },
        { "CAP_MAC_OVERRIDE", 32 }, { "CAP_MAC_ADMIN", 33 }, { "CAP_SYSLOG", 34 }, { "CAP_WAKE_ALARM", 35 },
        { "CAP_BLOCK_SUSPEND", 36 }, { "CAP_AUDIT_READ", 37 }, { "CAP_PERFMON", 38 }, { "CAP_BPF", 39 },
        { "CAP_CHECKPOINT_RESTORE", 40 },
    };

    [Theory]
    [MemberData(nameof(Known))]
    public void NameAndNumberMapBothWays(string name, int number)
    {
        Assert.Equal(number, CapabilityNames.GetNumber(name));
        Assert.Equal(name, CapabilityNames.GetName(number));
    }

    [Fact]
    public void TableCoversEveryCapabilityUpToCheckpointRestore()
    {
        Assert.Equal(CapabilityNames.MaxKnown + 1, CapabilityNames.All.Count);
        Assert.Equal(CapabilityNames.All.Count, CapabilityNames.All.Distinct().Count());
    }

    [Theory]
    [InlineData("CAP_NOPE")]
    [InlineData("cap_chown")]
    [InlineData("CHOWN")]
    [InlineData("")]
    public void UnknownNameIsAnErrorNamingIt(string name)
    {
        Assert.False(CapabilityNames.TryGetNumber(name, out _));
        var e = Assert.Throws<ArgumentException>(() => CapabilityNames.GetNumber(name));
        Assert.Contains($"\"{name}\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NumberBeyondTheTableHasAGenericName() => Assert.Equal("CAP_41", CapabilityNames.GetName(41));

    [Fact]
    public void LastCapIsTheKernels()
    {
        var expected = int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, CapabilityNames.LastCap);
    }

    [Fact]
    public void NamesListsTheBitsOfAMask() =>
        Assert.Equal(["CAP_CHOWN", "CAP_NET_RAW", "CAP_SETFCAP"], CapabilityNames.Names((1UL << 0) | (1UL << 13) | (1UL << 31)));
}
