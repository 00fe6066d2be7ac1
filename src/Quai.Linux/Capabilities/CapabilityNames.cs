using System.Collections.Frozen;
using System.Globalization;

namespace Quai.Linux.Capabilities;

/// <summary>
/// Capability names and numbers, as in linux/capability.h and capabilities(7), up to
/// CAP_CHECKPOINT_RESTORE (40, Linux 5.9). Names are the spec's "CAP_…" spelling.
/// </summary>
public static class CapabilityNames
{
    /// <summary>The highest capability this table knows.</summary>
    public const int MaxKnown = 40;

    private static readonly string[] ByNumber =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
        "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
        "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
    ];

    private static readonly FrozenDictionary<string, int> ByName =
        ByNumber.Select((name, number) => KeyValuePair.Create(name, number)).ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly Lazy<int> LastCapValue = new(ReadLastCap);

    /// <summary>Every known name, in number order.</summary>
    public static IReadOnlyList<string> All => ByNumber;

    /// <summary>
    /// The highest capability the running kernel supports (/proc/sys/kernel/cap_last_cap,
    /// capabilities(7)); <see cref="MaxKnown"/> when the file cannot be read.
    /// </summary>
    public static int LastCap => LastCapValue.Value;

    /// <summary>The capability's number, or false when the name is not a capability this table knows.</summary>
    public static bool TryGetNumber(string name, out int number) => ByName.TryGetValue(name, out number);

    /// <summary>The capability's number; throws naming <paramref name="name"/> when it is unknown.</summary>
    public static int GetNumber(string name) =>
        TryGetNumber(name, out var number)
            ? number
            : throw new ArgumentException($"unknown capability \"{name}\": expected a name such as CAP_CHOWN or CAP_NET_BIND_SERVICE (capabilities(7))", nameof(name));

    /// <summary>The capability's name, or "CAP_&lt;n&gt;" for a number newer than this table.</summary>
    public static string GetName(int number) =>
        number >= 0 && number < ByNumber.Length ? ByNumber[number] : "CAP_" + number.ToString(CultureInfo.InvariantCulture);

    /// <summary>The names of the bits set in <paramref name="mask"/>.</summary>
    public static IEnumerable<string> Names(ulong mask)
    {
        for (var i = 0; i < 64; i++)
        {
            if ((mask & (1UL << i)) != 0)
            {
                yield return GetName(i);
            }
        }
    }

    private static int ReadLastCap()
    {
        try
        {
            var text = File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : MaxKnown;
        }
        catch (IOException)
        {
            return MaxKnown;
        }
        catch (UnauthorizedAccessException)
        {
            return MaxKnown;
        }
    }
}
