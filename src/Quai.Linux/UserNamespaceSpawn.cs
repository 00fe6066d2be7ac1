using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Quai.Linux.Interop;

namespace Quai.Linux;

/// <summary>
/// Starts a process in a new user namespace (and the other namespaces created with it, which the
/// new user namespace then owns: user_namespaces(7) "Interaction of user namespaces and other
/// types of namespaces"), with its uid and gid maps written before it runs anything.
/// </summary>
/// <remarks>
/// A .NET process always has several threads, so it can neither unshare(CLONE_NEWUSER) nor
/// setns into a user namespace (EINVAL); clone(2) with CLONE_NEWUSER can, but the child of a clone
/// must not return into managed code (runtime-notes trap 8: it hangs 1-4 % of the time under GC
/// pressure). So the child side is a small x86-64 routine that makes raw system calls only:
/// <code>
///   pid = clone(flags, stack 0)          fork semantics: the child owns a copy of the memory
///   parent: return pid (or -errno)
///   child:  every signal to SIG_DFL, mask cleared  (.NET's handlers and ignored SIGPIPE must not survive)
///           setns(userns, CLONE_NEWUSER) when joining one (exec): a single-threaded process may
///           read(sync, 1 byte)           blocks until the parent wrote uid_map and gid_map
///           setresgid(0,0,0); setresuid(0,0,0)   root of the new namespace, so execve keeps the capabilities
///           dup2 each (source, target) fd pair
///           execveat(exe, "", argv, envp, AT_EMPTY_PATH)   no path lookup as the mapped user
///           exit_group(127)              on any failure; the parent sees the child exit
/// </code>
/// The source is in the comments of <see cref="Code"/>, assembled with GNU as (intel syntax).
/// runc does the same from C before the Go runtime starts (libcontainer/nsenter/nsexec.c); crun is
/// single-threaded C and simply forks.
/// </remarks>
public static unsafe class UserNamespaceSpawn
{
    /// <summary>True where the routine exists (x86-64).</summary>
    public static bool Supported => RuntimeInformation.ProcessArchitecture == Architecture.X64;

    // Arguments block, 8 bytes per field, read by the routine at these offsets.
    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public long Flags;      // +0   clone flags, SIGCHLD included
        public long SyncFd;     // +8   read end of the pipe the parent writes one byte to
        public long ExecFd;     // +16  O_PATH fd of the executable
        public nint Argv;       // +24
        public nint Envp;       // +32
        public long FdCount;    // +40
        public nint FdPairs;    // +48  int32 (source, target) pairs
        public long UserNsFd;   // +56  user namespace to setns into, or -1
    }

    private static readonly byte[] Code =
    [
        0x49, 0x89, 0xf9,                               // mov r9, rdi  ; args
        0x49, 0x8b, 0x39,                               // mov rdi, [r9]  ; flags
        0x31, 0xf6,                                     // xor esi, esi  ; stack 0: fork semantics
        0x31, 0xd2,                                     // xor edx, edx
        0x45, 0x31, 0xd2,                               // xor r10d, r10d
        0x45, 0x31, 0xc0,                               // xor r8d, r8d
        0xb8, 0x38, 0x00, 0x00, 0x00,                   // mov eax, 56  ; clone
        0x0f, 0x05,                                     // syscall
        0x48, 0x85, 0xc0,                               // test rax, rax
        0x74, 0x01,                                     // jz 1f  ; je child
        0xc3,                                           // ret  ; parent: pid or -errno
        0x48, 0x83, 0xec, 0x40,                         // sub rsp, 64  ; child:
        0x31, 0xc0,                                     // xor eax, eax
        0x48, 0x89, 0x04, 0x24,                         // mov [rsp], rax  ; struct sigaction {SIG_DFL}
        0x48, 0x89, 0x44, 0x24, 0x08,                   // mov [rsp+8], rax
        0x48, 0x89, 0x44, 0x24, 0x10,                   // mov [rsp+16], rax
        0x48, 0x89, 0x44, 0x24, 0x18,                   // mov [rsp+24], rax
        0x48, 0x89, 0x44, 0x24, 0x20,                   // mov [rsp+32], rax  ; empty sigset
        0x48, 0x89, 0x44, 0x24, 0x30,                   // mov [rsp+48], rax  ; "" for execveat
        0x41, 0xbc, 0x01, 0x00, 0x00, 0x00,             // mov r12d, 1
        0x44, 0x89, 0xe7,                               // mov edi, r12d  ; sig:
        0x48, 0x89, 0xe6,                               // mov rsi, rsp
        0x31, 0xd2,                                     // xor edx, edx
        0x41, 0xba, 0x08, 0x00, 0x00, 0x00,             // mov r10d, 8
        0xb8, 0x0d, 0x00, 0x00, 0x00,                   // mov eax, 13  ; rt_sigaction; SIGKILL/SIGSTOP fail, ignored
        0x0f, 0x05,                                     // syscall
        0x41, 0xff, 0xc4,                               // inc r12d
        0x41, 0x83, 0xfc, 0x41,                         // cmp r12d, 65
        0x72, 0xe2,                                     // jb 2b  ; jb sig
        0xbf, 0x02, 0x00, 0x00, 0x00,                   // mov edi, 2  ; SIG_SETMASK
        0x48, 0x8d, 0x74, 0x24, 0x20,                   // lea rsi, [rsp+32]
        0x31, 0xd2,                                     // xor edx, edx
        0x41, 0xba, 0x08, 0x00, 0x00, 0x00,             // mov r10d, 8
        0xb8, 0x0e, 0x00, 0x00, 0x00,                   // mov eax, 14  ; rt_sigprocmask
        0x0f, 0x05,                                     // syscall
        0x49, 0x8b, 0x79, 0x38,                         // mov rdi, [r9+56]  ; user namespace fd to join, or -1
        0x48, 0x85, 0xff,                               // test rdi, rdi
        0x78, 0x15,                                     // js 5f  ; js sync
        0xbe, 0x00, 0x00, 0x00, 0x10,                   // mov esi, 0x10000000  ; CLONE_NEWUSER
        0xb8, 0x34, 0x01, 0x00, 0x00,                   // mov eax, 308  ; setns
        0x0f, 0x05,                                     // syscall
        0x48, 0x85, 0xc0,                               // test rax, rax
        0x0f, 0x85, 0x84, 0x00, 0x00, 0x00,             // jnz 9f  ; jne fail
        0x49, 0x8b, 0x79, 0x08,                         // mov rdi, [r9+8]  ; sync: sync fd
        0x48, 0x8d, 0x74, 0x24, 0x28,                   // lea rsi, [rsp+40]
        0xba, 0x01, 0x00, 0x00, 0x00,                   // mov edx, 1
        0x31, 0xc0,                                     // xor eax, eax  ; read
        0x0f, 0x05,                                     // syscall
        0x48, 0x83, 0xf8, 0x01,                         // cmp rax, 1
        0x75, 0x6c,                                     // jne 9f  ; jne fail: EOF, the parent gave up
        0x31, 0xff,                                     // xor edi, edi
        0x31, 0xf6,                                     // xor esi, esi
        0x31, 0xd2,                                     // xor edx, edx
        0xb8, 0x77, 0x00, 0x00, 0x00,                   // mov eax, 119  ; setresgid
        0x0f, 0x05,                                     // syscall
        0x48, 0x85, 0xc0,                               // test rax, rax
        0x75, 0x5a,                                     // jnz 9f  ; jne fail
        0x31, 0xff,                                     // xor edi, edi
        0x31, 0xf6,                                     // xor esi, esi
        0x31, 0xd2,                                     // xor edx, edx
        0xb8, 0x75, 0x00, 0x00, 0x00,                   // mov eax, 117  ; setresuid
        0x0f, 0x05,                                     // syscall
        0x48, 0x85, 0xc0,                               // test rax, rax
        0x75, 0x48,                                     // jnz 9f  ; jne fail
        0x4d, 0x8b, 0x61, 0x28,                         // mov r12, [r9+40]  ; fd pair count
        0x4d, 0x8b, 0x69, 0x30,                         // mov r13, [r9+48]  ; fd pairs
        0x4d, 0x85, 0xe4,                               // test r12, r12  ; dup:
        0x74, 0x1d,                                     // jz 4f  ; je exec
        0x41, 0x8b, 0x7d, 0x00,                         // mov edi, [r13]
        0x41, 0x8b, 0x75, 0x04,                         // mov esi, [r13+4]
        0xb8, 0x21, 0x00, 0x00, 0x00,                   // mov eax, 33  ; dup2
        0x0f, 0x05,                                     // syscall
        0x48, 0x85, 0xc0,                               // test rax, rax
        0x78, 0x27,                                     // js 9f  ; js fail
        0x49, 0x83, 0xc5, 0x08,                         // add r13, 8
        0x49, 0xff, 0xcc,                               // dec r12
        0xeb, 0xde,                                     // jmp 3b  ; jmp dup
        0x49, 0x8b, 0x79, 0x10,                         // mov rdi, [r9+16]  ; exec: exe fd
        0x48, 0x8d, 0x74, 0x24, 0x30,                   // lea rsi, [rsp+48]  ; ""
        0x49, 0x8b, 0x51, 0x18,                         // mov rdx, [r9+24]  ; argv
        0x4d, 0x8b, 0x51, 0x20,                         // mov r10, [r9+32]  ; envp
        0x41, 0xb8, 0x00, 0x10, 0x00, 0x00,             // mov r8d, 0x1000  ; AT_EMPTY_PATH
        0xb8, 0x42, 0x01, 0x00, 0x00,                   // mov eax, 322  ; execveat
        0x0f, 0x05,                                     // syscall
        0xbf, 0x7f, 0x00, 0x00, 0x00,                   // mov edi, 127  ; fail:
        0xb8, 0xe7, 0x00, 0x00, 0x00,                   // mov eax, 231  ; exit_group
        0x0f, 0x05,                                     // syscall
        0xf4,                                           // hlt
    ];

    private static readonly Lock RoutineLock = new();
    private static delegate* unmanaged<Args*, long> _routine;

    /// <summary>
    /// clone(2)s a child into new namespaces (<paramref name="cloneFlags"/>, which must include
    /// CLONE_NEWUSER), writes its uid_map and gid_map, then lets it become root of its user
    /// namespace and execute <paramref name="executableFd"/> with the fd pairs dup2'ed. Returns the
    /// child's pid. On failure the child is killed and reaped before the exception is thrown.
    /// </summary>
    public static int Start(int cloneFlags, int executableFd, IReadOnlyList<string> argv, IReadOnlyList<string> env,
        IReadOnlyList<(int Source, int Target)> fds, string uidMap, string gidMap)
    {
        if ((cloneFlags & Namespaces.CLONE_NEWUSER) == 0)
        {
            throw new ArgumentException("CLONE_NEWUSER is required", nameof(cloneFlags));
        }
        return Run(cloneFlags, -1, executableFd, argv, env, fds, (uidMap, gidMap));
    }

    /// <summary>
    /// Forks a child (in the calling thread's other namespaces) that joins the user namespace
    /// <paramref name="userNamespaceFd"/> (exec into a container with its own user namespace),
    /// becomes its root and executes <paramref name="executableFd"/> with the fd pairs dup2'ed.
    /// </summary>
    public static int StartIn(int userNamespaceFd, int executableFd, IReadOnlyList<string> argv, IReadOnlyList<string> env,
        IReadOnlyList<(int Source, int Target)> fds) =>
        Run(0, userNamespaceFd, executableFd, argv, env, fds, null);

    private static int Run(int cloneFlags, int userNamespaceFd, int executableFd, IReadOnlyList<string> argv, IReadOnlyList<string> env,
        IReadOnlyList<(int Source, int Target)> fds, (string Uid, string Gid)? maps)
    {
        if (!Supported)
        {
            throw new PlatformNotSupportedException($"user namespaces: quai-runtime starts them with an x86-64 routine; this machine is {RuntimeInformation.ProcessArchitecture}");
        }
        var routine = Routine();
        var pipe = stackalloc int[2];
        LinuxException.ThrowIfError(Libc.Pipe2(pipe, Libc.O_CLOEXEC), "pipe2", "user namespace sync");
        var strings = new List<nint>();
        var pairs = (int*)NativeMemory.Alloc((nuint)Math.Max(1, fds.Count * 2), sizeof(int));
        var pid = 0;
        try
        {
            for (var i = 0; i < fds.Count; i++)
            {
                pairs[2 * i] = fds[i].Source;
                pairs[2 * i + 1] = fds[i].Target;
            }
            var args = new Args
            {
                Flags = cloneFlags | Signals.SIGCHLD,
                SyncFd = pipe[0],
                ExecFd = executableFd,
                Argv = (nint)Spawn.StringArray(argv, strings),
                Envp = (nint)Spawn.StringArray(env, strings),
                FdCount = fds.Count,
                FdPairs = (nint)pairs,
                UserNsFd = userNamespaceFd,
            };
            var rc = routine(&args);
            if (rc < 0)
            {
                throw new LinuxException("clone", (int)-rc, maps is null ? "process to join a user namespace" : "new user namespace");
            }
            pid = (int)rc;
            Libc.Close(pipe[0]);
            pipe[0] = -1;
            // user_namespaces(7): the parent, privileged in the parent namespace, may write any
            // mapping of up to 340 lines, in one write each; gid_map needs no setgroups "deny" then.
            if (maps is { } m)
            {
                WriteMap(pid, "uid_map", m.Uid);
                WriteMap(pid, "gid_map", m.Gid);
            }
            var go = stackalloc byte[1];
            go[0] = 1;
            if (Libc.Write(pipe[1], go, 1) != 1)
            {
                throw LinuxException.FromLastError("write", "user namespace sync");
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
            if (pipe[0] >= 0)
            {
                Libc.Close(pipe[0]);
            }
            Libc.Close(pipe[1]);
            NativeMemory.Free(pairs);
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
                    throw LinuxException.FromLastError("mmap", "user namespace routine");
                }
                Code.CopyTo(new Span<byte>(page, Code.Length));
                // W^X: written, then made executable and read-only.
                LinuxException.ThrowIfError(Libc.Mprotect(page, size, Libc.PROT_READ | Libc.PROT_EXEC), "mprotect", "user namespace routine");
                _routine = (delegate* unmanaged<Args*, long>)page;
            }
            return _routine;
        }
    }
}
