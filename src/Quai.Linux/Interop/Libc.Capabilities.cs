using System.Runtime.InteropServices;

namespace Quai.Linux.Interop;

// Capabilities, no_new_privs and keep-caps: capget(2)/capset(2) and prctl(2).
public static unsafe partial class Libc
{
    /// <summary>_LINUX_CAPABILITY_VERSION_3 (linux/capability.h): 64-bit sets in two 32-bit words.</summary>
    public const uint LinuxCapabilityVersion3 = 0x20080522;

    public const int PR_GET_KEEPCAPS = 7;
    public const int PR_SET_KEEPCAPS = 8;
    public const int PR_CAPBSET_READ = 23;
    public const int PR_CAPBSET_DROP = 24;
    public const int PR_SET_NO_NEW_PRIVS = 38;
    public const int PR_GET_NO_NEW_PRIVS = 39;
    public const int PR_CAP_AMBIENT = 47;
    public const int PR_CAP_AMBIENT_IS_SET = 1;
    public const int PR_CAP_AMBIENT_RAISE = 2;
    public const int PR_CAP_AMBIENT_LOWER = 3;
    public const int PR_CAP_AMBIENT_CLEAR_ALL = 4;

    /// <summary>struct __user_cap_header_struct (linux/capability.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CapUserHeader
    {
        public uint Version;
        public int Pid;
    }

    /// <summary>struct __user_cap_data_struct; version 3 passes an array of two (low and high 32 bits).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CapUserData
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    /// <summary>
    /// prctl(2): https://man7.org/linux/man-pages/man2/prctl.2.html. glibc declares it variadic;
    /// on the Linux ABIs Quai targets (x86-64, aarch64) integer varargs travel like fixed
    /// arguments, so a fixed five-argument signature is the usual, safe binding.
    /// </summary>
    [LibraryImport(Name, EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    /// <summary>capget(2): https://man7.org/linux/man-pages/man2/capget.2.html (data points at two structs for v3).</summary>
    [LibraryImport(Name, EntryPoint = "capget", SetLastError = true)]
    public static partial int Capget(CapUserHeader* header, CapUserData* data);

    /// <summary>capset(2): acts on the calling thread only.</summary>
    [LibraryImport(Name, EntryPoint = "capset", SetLastError = true)]
    public static partial int Capset(CapUserHeader* header, CapUserData* data);
}
