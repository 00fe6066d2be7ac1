using System.Runtime.InteropServices;
using System.Text;
using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Runtime.Cgroups;

internal static unsafe partial class DeviceFilter
{
    // fcntl.h open(2) flags (x86-64 and arm64 share these values). Kept here rather than in
    // Libc, whose Mount area (rootfs branch) owns the O_* constants, so this part builds alone.
    private const int O_RDONLY = 0;
    private const int O_DIRECTORY = 0x10000;
    private const int O_CLOEXEC = 0x80000;

    /// <summary>An O_RDONLY|O_DIRECTORY|O_CLOEXEC fd of a cgroup directory: the target of bpf(2) attach, detach and query.</summary>
    internal static FileDescriptorHandle OpenCgroup(string cgroupDir) =>
        new(LinuxException.ThrowIfError(Libc.OpenDirectory(cgroupDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), "open", cgroupDir));

    /// <summary>
    /// Loads <paramref name="program"/> and attaches it to the cgroup directory, then detaches the
    /// device programs that were attached before (a previous Create or Update), so the new rules
    /// replace the old ones instead of being AND-ed with them. BPF_F_ALLOW_MULTI keeps nested
    /// cgroups free to attach their own filters, as runc and systemd do.
    /// </summary>
    public static void Attach(string cgroupDir, ulong[] program)
    {
        using var cgroup = OpenCgroup(cgroupDir);
        var old = Query(cgroup, cgroupDir);
        using var prog = Load(program, cgroupDir);
        var attach = stackalloc uint[5];
        attach[0] = (uint)cgroup.Fd;
        attach[1] = (uint)prog.Fd;
        attach[2] = Libc.BPF_CGROUP_DEVICE;
        attach[3] = Libc.BPF_F_ALLOW_MULTI;
        attach[4] = 0;
        Check(Libc.Bpf(Libc.BPF_PROG_ATTACH, attach, 20), "bpf(BPF_PROG_ATTACH)", cgroupDir);
        var byId = stackalloc uint[3];
        var detach = stackalloc uint[5];
        foreach (var id in old)
        {
            byId[0] = id;
            byId[1] = 0;
            byId[2] = 0;
            var fd = Libc.Bpf(Libc.BPF_PROG_GET_FD_BY_ID, byId, 12);
            if (fd < 0)
            {
                // Detached and freed meanwhile: nothing left to do for it.
                continue;
            }
            using var oldProg = new FileDescriptorHandle((int)fd);
            detach[0] = (uint)cgroup.Fd;
            detach[1] = (uint)oldProg.Fd;
            detach[2] = Libc.BPF_CGROUP_DEVICE;
            detach[3] = 0;
            detach[4] = 0;
            Check(Libc.Bpf(Libc.BPF_PROG_DETACH, detach, 20), "bpf(BPF_PROG_DETACH)", cgroupDir);
        }
    }

    /// <summary>Ids of the device programs attached directly to the cgroup (BPF_PROG_QUERY).</summary>
    internal static List<uint> Query(FileDescriptorHandle cgroup, string cgroupDir)
    {
        const int max = 64;
        var ids = stackalloc uint[max];
        // union bpf_attr, query: u32 target_fd, attach_type, query_flags, attach_flags; u64 prog_ids; u32 prog_cnt.
        var attr = stackalloc byte[32];
        new Span<byte>(attr, 32).Clear();
        *(uint*)attr = (uint)cgroup.Fd;
        *(uint*)(attr + 4) = Libc.BPF_CGROUP_DEVICE;
        *(ulong*)(attr + 16) = (ulong)ids;
        *(uint*)(attr + 24) = max;
        Check(Libc.Bpf(Libc.BPF_PROG_QUERY, attr, 32), "bpf(BPF_PROG_QUERY)", cgroupDir);
        var count = Math.Min(*(uint*)(attr + 24), max);
        var result = new List<uint>((int)count);
        for (var i = 0; i < count; i++)
        {
            result.Add(ids[i]);
        }
        return result;
    }

    /// <summary>BPF_PROG_LOAD; on a verifier rejection, loads again with the verifier log for the error message.</summary>
    internal static FileDescriptorHandle Load(ulong[] program, string cgroupDir)
    {
        var fd = LoadOnce(program, null);
        if (fd >= 0)
        {
            return new FileDescriptorHandle((int)fd);
        }
        var errno = Marshal.GetLastPInvokeError();
        var log = new byte[65536];
        LoadOnce(program, log);
        var text = Encoding.UTF8.GetString(log, 0, Math.Max(0, Array.IndexOf(log, (byte)0))).Trim();
        throw new CgroupException(
            $"cannot load the device filter for cgroup {cgroupDir}: bpf(BPF_PROG_LOAD): {Errnos.Describe(errno)}" +
            (text.Length > 0 ? $"; verifier: {text}" : "") +
            (errno == Errnos.EPERM ? " (needs CAP_BPF and CAP_SYS_ADMIN, or root)" : ""));
    }

    private static long LoadOnce(ulong[] program, byte[]? log)
    {
        var license = "Apache-2.0\0"u8;
        // union bpf_attr, prog load: u32 prog_type, insn_cnt; u64 insns, license; u32 log_level,
        // log_size; u64 log_buf; u32 kern_version, prog_flags; char prog_name[16]; u32
        // prog_ifindex, expected_attach_type. The kernel zero-fills what a shorter size leaves out.
        var attr = stackalloc byte[72];
        new Span<byte>(attr, 72).Clear();
        fixed (ulong* insns = program)
        fixed (byte* lic = license)
        fixed (byte* buf = log)
        {
            *(uint*)attr = Libc.BPF_PROG_TYPE_CGROUP_DEVICE;
            *(uint*)(attr + 4) = (uint)program.Length;
            *(ulong*)(attr + 8) = (ulong)insns;
            *(ulong*)(attr + 16) = (ulong)lic;
            if (log is not null)
            {
                *(uint*)(attr + 24) = 1;
                *(uint*)(attr + 28) = (uint)log.Length;
                *(ulong*)(attr + 32) = (ulong)buf;
            }
            "quai_devices"u8.CopyTo(new Span<byte>(attr + 48, 16));
            *(uint*)(attr + 68) = Libc.BPF_CGROUP_DEVICE;
            return Libc.Bpf(Libc.BPF_PROG_LOAD, attr, 72);
        }
    }

    private static void Check(long result, string call, string cgroupDir)
    {
        if (result < 0)
        {
            throw new CgroupException($"cannot apply the device filter to cgroup {cgroupDir}: {call}: {Errnos.Describe(Marshal.GetLastPInvokeError())}");
        }
    }
}
