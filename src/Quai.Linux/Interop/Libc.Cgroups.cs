using System.Runtime.InteropServices;

namespace Quai.Linux.Interop;

public static unsafe partial class Libc
{
    /// <summary>bpf(2) commands the cgroup device filter uses (include/uapi/linux/bpf.h, enum bpf_cmd).</summary>
    public const int BPF_PROG_LOAD = 5;
    public const int BPF_PROG_ATTACH = 8;
    public const int BPF_PROG_DETACH = 9;
    public const int BPF_PROG_GET_FD_BY_ID = 13;
    public const int BPF_PROG_QUERY = 16;

    /// <summary>enum bpf_prog_type BPF_PROG_TYPE_CGROUP_DEVICE and enum bpf_attach_type BPF_CGROUP_DEVICE.</summary>
    public const int BPF_PROG_TYPE_CGROUP_DEVICE = 15;
    public const int BPF_CGROUP_DEVICE = 6;

    /// <summary>Attach flag: several programs per cgroup, all of which must allow (bpf.h).</summary>
    public const int BPF_F_ALLOW_MULTI = 2;

    // O_RDONLY, O_DIRECTORY, O_CLOEXEC: in Libc.Mount.cs.

    /// <summary>
    /// bpf(2): https://man7.org/linux/man-pages/man2/bpf.2.html — glibc has no wrapper, so this
    /// goes through syscall(2) with the architecture's number.
    /// </summary>
    public static long Bpf(int cmd, void* attr, uint size) =>
        SyscallBpf(RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 321,
            Architecture.Arm64 => 280,
            var a => throw new PlatformNotSupportedException($"bpf(2) syscall number unknown for {a}"),
        }, cmd, attr, size);

    /// <summary>
    /// open(2) of a directory (O_DIRECTORY), for bpf(2) targets: https://man7.org/linux/man-pages/man2/open.2.html.
    /// Named apart from a general open wrapper so the Files area can own that one.
    /// </summary>
    [LibraryImport(Name, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenDirectory(string path, int flags);

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallBpf(long number, long cmd, void* attr, long size);
}
