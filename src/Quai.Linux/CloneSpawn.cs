using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Quai.Linux.Interop;

namespace Quai.Linux;

/// <summary>
/// Starts a process with clone3(2) from a small machine-code routine, for what posix_spawn(3) cannot
/// do: be born in a cgroup (CLONE_INTO_CGROUP, Linux 5.7), and start in a new user namespace (and the
/// other namespaces created with it, which that user namespace then owns: user_namespaces(7),
/// "Interaction of user namespaces and other types of namespaces") with its uid and gid maps written
/// before it runs anything, or join one.
/// </summary>
/// <remarks>
/// A .NET process always has several threads, so it can neither unshare(CLONE_NEWUSER) nor setns
/// into a user namespace (EINVAL), and the child of a clone must not return into managed code
/// (runtime-notes trap 8: it hangs 1-4 % of the time under GC pressure). So the child side is an
/// x86-64 routine that makes raw system calls only:
/// <code>
///   block every signal; pid = clone3(args, size); the caller's mask again in the parent
///       (clone(2) when the kernel has no clone3 and the caller allows it)
///   parent: return pid (or -errno)
///   child:  every signal to SIG_DFL, mask cleared  (.NET's handlers and ignored SIGPIPE must not survive)
///           setns(userns, CLONE_NEWUSER) when joining one (exec into a container with its own)
///           read(sync, 1 byte)           with a user namespace: blocks until the parent wrote uid_map
///                                        and gid_map (of a new one), then setresgid/setresuid(0), so
///                                        that execve keeps the capabilities as the namespace's root
///           dup2 each (source, target) fd pair
///           execveat(exe, "", argv, envp, AT_EMPTY_PATH)   no path lookup (as the mapped user, too)
///           store the error where a CLONE_VM parent reads it; exit_group(127)
/// </code>
/// Without a user namespace the child shares the caller's memory until it executes
/// (CLONE_VM | CLONE_VFORK on a stack of its own, as glibc's posix_spawn), so its error reaches the
/// caller; with one it is forked, since it waits for the parent. The source is in the comments of
/// <see cref="Code"/>, assembled with GNU as (intel syntax). runc does the same from C before the Go
/// runtime starts (libcontainer/nsenter/nsexec.c); crun is single-threaded C, forks, and uses
/// CLONE_INTO_CGROUP on cgroup v2 too.
/// </remarks>
public static unsafe class CloneSpawn
{
    /// <summary>True where the routine exists (x86-64).</summary>
    public static bool Supported => RuntimeInformation.ProcessArchitecture == Architecture.X64;

    private const ulong CLONE_VM = 0x100;
    private const ulong CLONE_VFORK = 0x4000;
    private const ulong CLONE_INTO_CGROUP = 0x200000000;
    private const int CloneArgsSizeVer0 = 64;   // linux/sched.h CLONE_ARGS_SIZE_VER0: up to tls
    private const int CloneArgsSizeVer2 = 88;   // CLONE_ARGS_SIZE_VER2: with cgroup
    private const int ChildStackSize = 64 * 1024;

    // struct clone_args (linux/sched.h), every field 64 bits.
    [StructLayout(LayoutKind.Sequential)]
    private struct CloneArgs
    {
        public ulong Flags;
        public ulong PidFd;
        public ulong ChildTid;
        public ulong ParentTid;
        public ulong ExitSignal;
        public ulong Stack;
        public ulong StackSize;
        public ulong Tls;
        public ulong SetTid;
        public ulong SetTidSize;
        public ulong Cgroup;
    }

    // Arguments block, 8 bytes per field, read by the routine at these offsets.
    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public CloneArgs* Clone;    // +0
        public long CloneSize;      // +8
        public long SyncFd;         // +16  read end of the pipe the parent writes one byte to, or -1
        public long ExecFd;         // +24  O_PATH fd of the executable
        public nint Argv;           // +32
        public nint Envp;           // +40
        public long FdCount;        // +48
        public nint FdPairs;        // +56  int32 (source, target) pairs
        public long UserNsFd;       // +64  user namespace to setns into, or -1
        public long Error;          // +72  out: the child's failed system call result (-errno)
        public long LegacyFlags;    // +80  clone(2) flags with the exit signal when clone3 is missing, or 0
        public long LegacyStack;    // +88  clone(2)'s stack top, or 0
    }

    private static readonly byte[] Code =
    [
        0x49, 0x89, 0xf9,                               // mov r9, rdi  ; args
        0x48, 0x83, 0xec, 0x18,                         // sub rsp, 24  ; [rsp] all-signals mask, [rsp+8] the caller's mask
        0x48, 0xc7, 0x04, 0x24, 0xff, 0xff, 0xff, 0xff, // mov qword ptr [rsp], -1
        0xbf, 0x02, 0x00, 0x00, 0x00,                   // mov edi, 2  ; SIG_SETMASK: no .NET handler may run in a child that shares memory
        0x48, 0x89, 0xe6,                               // mov rsi, rsp
        0x48, 0x8d, 0x54, 0x24, 0x08,                   // lea rdx, [rsp+8]
        0x41, 0xba, 0x08, 0x00, 0x00, 0x00,             // mov r10d, 8
        0xb8, 0x0e, 0x00, 0x00, 0x00,                   // mov eax, 14  ; rt_sigprocmask
        0x0f, 0x05,                                     // syscall
        0x49, 0x8b, 0x39,                               // mov rdi, [r9]  ; struct clone_args
        0x49, 0x8b, 0x71, 0x08,                         // mov rsi, [r9+8]  ; its size
        0xb8, 0xb3, 0x01, 0x00, 0x00,                   // mov eax, 435  ; clone3
        0x0f, 0x05,                                     // syscall
        0x48, 0x83, 0xf8, 0xda,                         // cmp rax, -38  ; ENOSYS: a kernel before 5.3 has no clone3
        0x75, 0x1c,                                     // jne 7f
        0x49, 0x8b, 0x79, 0x50,                         // mov rdi, [r9+80]  ; clone(2) flags with the exit signal, or 0: no fallback
        0x48, 0x85, 0xff,                               // test rdi, rdi
        0x74, 0x13,                                     // jz 7f
        0x49, 0x8b, 0x71, 0x58,                         // mov rsi, [r9+88]  ; its stack top, or 0: fork semantics
        0x31, 0xd2,                                     // xor edx, edx
        0x45, 0x31, 0xd2,                               // xor r10d, r10d
        0x45, 0x31, 0xc0,                               // xor r8d, r8d
        0xb8, 0x38, 0x00, 0x00, 0x00,                   // mov eax, 56  ; clone
        0x0f, 0x05,                                     // syscall
        0x48, 0x85, 0xc0,                               // 7: test rax, rax
        0x74, 0x24,                                     // jz 1f  ; child
        0x49, 0x89, 0xc0,                               // mov r8, rax  ; parent: pid or -errno
        0xbf, 0x02, 0x00, 0x00, 0x00,                   // mov edi, 2
        0x48, 0x8d, 0x74, 0x24, 0x08,                   // lea rsi, [rsp+8]
        0x31, 0xd2,                                     // xor edx, edx
        0x41, 0xba, 0x08, 0x00, 0x00, 0x00,             // mov r10d, 8
        0xb8, 0x0e, 0x00, 0x00, 0x00,                   // mov eax, 14  ; rt_sigprocmask: the caller's mask again
        0x0f, 0x05,                                     // syscall
        0x4c, 0x89, 0xc0,                               // mov rax, r8
        0x48, 0x83, 0xc4, 0x18,                         // add rsp, 24
        0xc3,                                           // ret
        0x48, 0x83, 0xec, 0x40,                         // 1: sub rsp, 64  ; child: its own stack (CLONE_VM) or a copy of the caller's
        0x31, 0xc0,                                     // xor eax, eax
        0x48, 0x89, 0x04, 0x24,                         // mov [rsp], rax  ; struct sigaction {SIG_DFL}
        0x48, 0x89, 0x44, 0x24, 0x08,                   // mov [rsp+8], rax
        0x48, 0x89, 0x44, 0x24, 0x10,                   // mov [rsp+16], rax
        0x48, 0x89, 0x44, 0x24, 0x18,                   // mov [rsp+24], rax
        0x48, 0x89, 0x44, 0x24, 0x20,                   // mov [rsp+32], rax  ; empty sigset
        0x48, 0x89, 0x44, 0x24, 0x30,                   // mov [rsp+48], rax  ; "" for execveat
        0x41, 0xbc, 0x01, 0x00, 0x00, 0x00,             // mov r12d, 1
        0x44, 0x89, 0xe7,                               // 2: mov edi, r12d  ; every signal to SIG_DFL
        0x48, 0x89, 0xe6,                               // mov rsi, rsp
        0x31, 0xd2,                                     // xor edx, edx
        0x41, 0xba, 0x08, 0x00, 0x00, 0x00,             // mov r10d, 8
        0xb8, 0x0d, 0x00, 0x00, 0x00,                   // mov eax, 13  ; rt_sigaction; SIGKILL/SIGSTOP fail, ignored
        0x0f, 0x05,                                     // syscall
        0x41, 0xff, 0xc4,                               // inc r12d
        0x41, 0x83, 0xfc, 0x41,                         // cmp r12d, 65
        0x72, 0xe2,                                     // jb 2b
        0xbf, 0x02, 0x00, 0x00, 0x00,                   // mov edi, 2  ; SIG_SETMASK
        0x48, 0x8d, 0x74, 0x24, 0x20,                   // lea rsi, [rsp+32]
        0x31, 0xd2,                                     // xor edx, edx
        0x41, 0xba, 0x08, 0x00, 0x00, 0x00,             // mov r10d, 8
        0xb8, 0x0e, 0x00, 0x00, 0x00,                   // mov eax, 14  ; rt_sigprocmask: nothing blocked
        0x0f, 0x05,                                     // syscall
        0x49, 0x8b, 0x79, 0x40,                         // mov rdi, [r9+64]  ; user namespace fd to join, or -1
        0x48, 0x85, 0xff,                               // test rdi, rdi
        0x78, 0x15,                                     // js 5f
        0xbe, 0x00, 0x00, 0x00, 0x10,                   // mov esi, 0x10000000  ; CLONE_NEWUSER
        0xb8, 0x34, 0x01, 0x00, 0x00,                   // mov eax, 308  ; setns
        0x0f, 0x05,                                     // syscall
        0x48, 0x85, 0xc0,                               // test rax, rax
        0x0f, 0x85, 0x89, 0x00, 0x00, 0x00,             // jnz 9f
        0x49, 0x8b, 0x79, 0x10,                         // 5: mov rdi, [r9+16]  ; sync fd, or -1
        0x48, 0x85, 0xff,                               // test rdi, rdi
        0x78, 0x38,                                     // js 3f
        0x48, 0x8d, 0x74, 0x24, 0x28,                   // lea rsi, [rsp+40]
        0xba, 0x01, 0x00, 0x00, 0x00,                   // mov edx, 1
        0x31, 0xc0,                                     // xor eax, eax  ; read: blocks until the parent wrote the id maps
        0x0f, 0x05,                                     // syscall
        0x48, 0x83, 0xf8, 0x01,                         // cmp rax, 1
        0x75, 0x6c,                                     // jne 9f  ; EOF: the parent gave up
        0x31, 0xff,                                     // xor edi, edi
        0x31, 0xf6,                                     // xor esi, esi
        0x31, 0xd2,                                     // xor edx, edx
        0xb8, 0x77, 0x00, 0x00, 0x00,                   // mov eax, 119  ; setresgid(0, 0, 0)
        0x0f, 0x05,                                     // syscall
        0x48, 0x85, 0xc0,                               // test rax, rax
        0x75, 0x5a,                                     // jnz 9f
        0x31, 0xff,                                     // xor edi, edi
        0x31, 0xf6,                                     // xor esi, esi
        0x31, 0xd2,                                     // xor edx, edx
        0xb8, 0x75, 0x00, 0x00, 0x00,                   // mov eax, 117  ; setresuid(0, 0, 0)
        0x0f, 0x05,                                     // syscall
        0x48, 0x85, 0xc0,                               // test rax, rax
        0x75, 0x48,                                     // jnz 9f
        0x4d, 0x8b, 0x61, 0x30,                         // 3: mov r12, [r9+48]  ; fd pair count
        0x4d, 0x8b, 0x69, 0x38,                         // mov r13, [r9+56]  ; fd pairs
        0x4d, 0x85, 0xe4,                               // 6: test r12, r12
        0x74, 0x1d,                                     // jz 4f
        0x41, 0x8b, 0x7d, 0x00,                         // mov edi, [r13]
        0x41, 0x8b, 0x75, 0x04,                         // mov esi, [r13+4]
        0xb8, 0x21, 0x00, 0x00, 0x00,                   // mov eax, 33  ; dup2
        0x0f, 0x05,                                     // syscall
        0x48, 0x85, 0xc0,                               // test rax, rax
        0x78, 0x27,                                     // js 9f
        0x49, 0x83, 0xc5, 0x08,                         // add r13, 8
        0x49, 0xff, 0xcc,                               // dec r12
        0xeb, 0xde,                                     // jmp 6b
        0x49, 0x8b, 0x79, 0x18,                         // 4: mov rdi, [r9+24]  ; exe fd
        0x48, 0x8d, 0x74, 0x24, 0x30,                   // lea rsi, [rsp+48]  ; ""
        0x49, 0x8b, 0x51, 0x20,                         // mov rdx, [r9+32]  ; argv
        0x4d, 0x8b, 0x51, 0x28,                         // mov r10, [r9+40]  ; envp
        0x41, 0xb8, 0x00, 0x10, 0x00, 0x00,             // mov r8d, 0x1000  ; AT_EMPTY_PATH
        0xb8, 0x42, 0x01, 0x00, 0x00,                   // mov eax, 322  ; execveat
        0x0f, 0x05,                                     // syscall
        0x49, 0x89, 0x41, 0x48,                         // 9: mov [r9+72], rax  ; fail: the result, which a CLONE_VM parent reads
        0xbf, 0x7f, 0x00, 0x00, 0x00,                   // mov edi, 127
        0xb8, 0xe7, 0x00, 0x00, 0x00,                   // mov eax, 231  ; exit_group
        0x0f, 0x05,                                     // syscall
        0xf4,                                           // hlt
    ];

    private static readonly Lock RoutineLock = new();
    private static delegate* unmanaged<Args*, long> _routine;

    /// <summary>
    /// Starts <see cref="CloneRequest.ExecutableFd"/>. With a <see cref="CloneRequest.CgroupFd"/>, the
    /// child is born in that cgroup2 directory when the kernel can do it (Linux 5.7); otherwise it is
    /// started without and <see cref="CloneResult.InCgroup"/> is false, for the caller to move it.
    /// Throws <see cref="LinuxException"/> when the child cannot be started or fails before it
    /// executes; a child that was started is then killed and reaped.
    /// </summary>
    public static CloneResult Start(CloneRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Supported)
        {
            throw new PlatformNotSupportedException($"quai starts processes in a new user namespace or cgroup with an x86-64 routine; this machine is {RuntimeInformation.ProcessArchitecture}");
        }
        if ((request.NamespaceFlags & Namespaces.CLONE_NEWUSER) != 0 != request.IdMaps.HasValue)
        {
            throw new ArgumentException("a new user namespace (CLONE_NEWUSER) needs its id maps, and id maps need CLONE_NEWUSER", nameof(request));
        }
        if (request.CgroupFd >= 0)
        {
            var pid = Run(request, intoCgroup: true);
            if (pid > 0)
            {
                return new CloneResult(pid, InCgroup: true);
            }
            // No clone3 (before 5.3) or no CLONE_INTO_CGROUP (before 5.7: E2BIG, EINVAL), or the
            // cgroup takes no processes (EBUSY, EOPNOTSUPP): start it without; moving it in after
            // reports whatever is wrong with the cgroup.
        }
        var started = Run(request, intoCgroup: false);
        if (started < 0)
        {
            throw new LinuxException("clone", -started, request.IdMaps.HasValue ? "process in a new user namespace" : "process");
        }
        return new CloneResult(started, InCgroup: false);
    }

    /// <summary>The child's pid, or -errno when clone itself failed (nothing to clean up then).</summary>
    private static int Run(CloneRequest request, bool intoCgroup)
    {
        var routine = Routine();
        // A child that waits for its id maps or joins a user namespace is forked; any other shares
        // the caller's memory until it executes, like posix_spawn's.
        var fork = request.IdMaps.HasValue || request.UserNamespaceFd >= 0;
        var pipe = stackalloc int[2] { -1, -1 };
        if (fork)
        {
            // The child waits for the id maps (and a go in any case) before it becomes root of
            // its user namespace, new or joined: without setresuid(0) after setns, it would keep
            // the host's ids, unmapped there, and execute without capabilities.
            LinuxException.ThrowIfError(Libc.Pipe2(pipe, Libc.O_CLOEXEC), "pipe2", "user namespace sync");
        }
        var strings = new List<nint>();
        var fds = request.Fds;
        var pairs = (int*)NativeMemory.Alloc((nuint)Math.Max(1, fds.Count * 2), sizeof(int));
        var stack = fork ? null : (byte*)NativeMemory.AlignedAlloc(ChildStackSize, 64);
        var pid = 0;
        try
        {
            for (var i = 0; i < fds.Count; i++)
            {
                pairs[2 * i] = fds[i].Source;
                pairs[2 * i + 1] = fds[i].Target;
            }
            var flags = (ulong)(uint)request.NamespaceFlags | (fork ? 0 : CLONE_VM | CLONE_VFORK);
            var clone = new CloneArgs
            {
                Flags = flags | (intoCgroup ? CLONE_INTO_CGROUP : 0),
                ExitSignal = Signals.SIGCHLD,
                Stack = (ulong)stack,
                StackSize = fork ? 0UL : ChildStackSize,
                Cgroup = intoCgroup ? (ulong)request.CgroupFd : 0,
            };
            var args = new Args
            {
                Clone = &clone,
                CloneSize = intoCgroup ? CloneArgsSizeVer2 : CloneArgsSizeVer0,
                SyncFd = pipe[0],
                ExecFd = request.ExecutableFd,
                Argv = (nint)Spawn.StringArray(request.Argv, strings),
                Envp = (nint)Spawn.StringArray(request.Env, strings),
                FdCount = fds.Count,
                FdPairs = (nint)pairs,
                UserNsFd = request.UserNamespaceFd,
                // clone(2) serves a kernel without clone3, unless the child must be born in the cgroup.
                LegacyFlags = intoCgroup ? 0 : (long)flags | Signals.SIGCHLD,
                LegacyStack = fork ? 0 : (long)(stack + ChildStackSize),
            };
            var rc = routine(&args);
            if (rc < 0)
            {
                return (int)rc;
            }
            pid = (int)rc;
            if (!fork && args.Error != 0)
            {
                // The child ran (CLONE_VFORK: it has executed or exited by now) and a system call failed.
                throw new LinuxException("execveat", (int)-args.Error, request.Argv.Count > 0 ? request.Argv[0] : "child");
            }
            if (fork)
            {
                Libc.Close(pipe[0]);
                pipe[0] = -1;
                if (request.IdMaps is { } maps)
                {
                    // user_namespaces(7): the parent, privileged in the parent namespace, may write any
                    // mapping of up to 340 lines, in one write each; gid_map needs no setgroups "deny" then.
                    WriteMap(pid, "uid_map", maps.Uid);
                    WriteMap(pid, "gid_map", maps.Gid);
                }
                var go = stackalloc byte[1];
                go[0] = 1;
                if (Libc.Write(pipe[1], go, 1) != 1)
                {
                    throw LinuxException.FromLastError("write", "user namespace sync");
                }
            }
            return pid;
        }
        catch
        {
            Spawn.KillAndReap(pid);
            throw;
        }
        finally
        {
            for (var i = 0; i < 2; i++)
            {
                if (pipe[i] >= 0)
                {
                    Libc.Close(pipe[i]);
                }
            }
            NativeMemory.Free(pairs);
            if (stack is not null)
            {
                NativeMemory.AlignedFree(stack);
            }
            foreach (var p in strings)
            {
                NativeMemory.Free((void*)p);
            }
        }
    }

    /// <summary>The "ID-inside ID-outside length" lines of /proc/PID/uid_map or gid_map.</summary>
    public static string FormatMap(IEnumerable<(uint ContainerId, uint HostId, uint Size)> mappings)
    {
        var text = new StringBuilder();
        foreach (var (inside, outside, size) in mappings)
        {
            text.Append(CultureInfo.InvariantCulture, $"{inside} {outside} {size}\n");
        }
        return text.ToString();
    }

    private static void WriteMap(int pid, string file, string map)
    {
        var path = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/{file}";
        using var fd = FdIo.Open(path, Libc.O_WRONLY);
        var bytes = Encoding.ASCII.GetBytes(map);
        fixed (byte* p = bytes)
        {
            if (Libc.Write(fd.Fd, p, (nuint)bytes.Length) != bytes.Length)
            {
                var e = LinuxException.FromLastError("write", path);
                throw new LinuxException("write", e.Errno, $"{path} \"{map.TrimEnd().Replace('\n', ',')}\" (is every range within 0..2^32-1, without overlaps, at most 340 lines?)");
            }
        }
    }

    private static delegate* unmanaged<Args*, long> Routine()
    {
        lock (RoutineLock)
        {
            if (_routine is null)
            {
                var size = (nuint)Code.Length;
                var page = Libc.Mmap(null, size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
                if (page == (void*)-1)
                {
                    throw LinuxException.FromLastError("mmap", "clone routine");
                }
                Code.CopyTo(new Span<byte>(page, Code.Length));
                // W^X: written, then made executable and read-only.
                LinuxException.ThrowIfError(Libc.Mprotect(page, size, Libc.PROT_READ | Libc.PROT_EXEC), "mprotect", "clone routine");
                _routine = (delegate* unmanaged<Args*, long>)page;
            }
            return _routine;
        }
    }
}
