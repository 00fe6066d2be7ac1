using System.Globalization;
using System.Runtime.InteropServices;
using Quai.Linux.Interop;

namespace Quai.Linux;

/// <summary>Facts about a process from /proc/PID/stat (proc_pid_stat(5)).</summary>
public static class ProcessInfo
{
    /// <summary>
    /// Field 22 of /proc/PID/stat (start time in clock ticks since boot) and field 3 (state), or null
    /// when the process does not exist. The start time tells a reused pid from the original.
    /// </summary>
    public static (ulong StartTime, char State)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        // comm (field 2) may hold spaces and parentheses: parse after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }
        var fields = text[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state); field 22 is fields[19].
        return fields.Length > 19 ? (ulong.Parse(fields[19], CultureInfo.InvariantCulture), fields[0][0]) : null;
    }

    /// <summary>True when <paramref name="pid"/> exists, is not a zombie, and started at <paramref name="startTime"/>.</summary>
    public static bool IsAlive(int pid, ulong startTime)
    {
        var stat = ReadStat(pid);
        return stat is { } s && s.StartTime == startTime && s.State is not ('Z' or 'X');
    }

    /// <summary>kill(2); false when the process is already gone (ESRCH).</summary>
    public static bool Signal(int pid, int signal)
    {
        if (Libc.Kill(pid, signal) == 0)
        {
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        return errno == Errnos.ESRCH ? false : throw new LinuxException("kill", errno, $"pid {pid} signal {signal}");
    }
}
