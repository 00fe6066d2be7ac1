// security-probe CONFIG.JSON: applies process.rlimits, the user, capabilities, no_new_privs and
// linux.seccomp of CONFIG.JSON on this thread in quai-runtime's order (ProcessSecurity), then
// execve's process.args with process.env. Exit 125 with a message on stderr when a step fails.
// With root.path set, it chroots there after ProcessSecurity.Prepare, as the runtime pivots
// after compiling the filter: libseccomp.so.2 is then out of reach (runtime-notes.md trap 4).
using System.Runtime.InteropServices;
using System.Text;
using Quai.Oci;
using Quai.Oci.Runtime;
using Quai.Runtime.Security;
using Quai.SecurityProbe;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: security-probe CONFIG.JSON");
    return 2;
}

try
{
    var spec = System.Text.Json.JsonSerializer.Deserialize(File.ReadAllBytes(args[0]), OciJsonContext.Default.Spec)
        ?? throw new InvalidDataException($"{args[0]}: empty config");
    var process = spec.Process ?? throw new InvalidDataException($"{args[0]}: no process");
    if (process.Args is not { Count: > 0 })
    {
        throw new InvalidDataException($"{args[0]}: process.args is empty");
    }

    var state = new State { Id = "security-probe", Status = ContainerStatus.Creating, Pid = Environment.ProcessId, Bundle = Path.GetDirectoryName(Path.GetFullPath(args[0]))! };
    using var security = ProcessSecurity.Prepare(process, spec.Linux?.Seccomp, state, w => Console.Error.WriteLine("security-probe: warning: " + w));

    // Everything managed that would run after the seccomp filter is in place is prepared now.
    Console.Error.Flush();
    if (spec.Root is { Path: { Length: > 0 } rootPath })
    {
        var root = Path.GetFullPath(rootPath, Path.GetDirectoryName(Path.GetFullPath(args[0]))!);
        if (Native.Chroot(root) != 0 || Native.Chdir("/") != 0)
        {
            throw Quai.Linux.LinuxException.FromLastError("chroot", root);
        }
    }
    var exec = Exec.Prepare(process);

    security.BeforeUserChange();
    User.Change(process.User);
    security.AfterUserChange();
    exec.Run();
    return 125;
}
catch (Exception e)
{
    Console.Error.WriteLine("security-probe: " + e.Message);
    return 125;
}

/// <summary>setgroups/setresgid/setresuid as runc's setupUser does (config.md#posix-platform-user).</summary>
internal static unsafe class User
{
    public static void Change(Quai.Oci.Runtime.User user)
    {
        var groups = (user.AdditionalGids ?? []).ToArray();
        fixed (uint* list = groups)
        {
            Check(Native.Setgroups((nuint)groups.Length, list), "setgroups");
        }
        Check(Native.Setresgid(user.Gid, user.Gid, user.Gid), "setresgid");
        Check(Native.Setresuid(user.Uid, user.Uid, user.Uid), "setresuid");
        if (user.Umask is { } umask)
        {
            Native.Umask(umask);
        }
    }

    private static void Check(int rc, string call)
    {
        if (rc != 0)
        {
            throw new Quai.Linux.LinuxException(call, Marshal.GetLastPInvokeError());
        }
    }
}

/// <summary>The execve of process.args, with the argument and environment arrays built beforehand.</summary>
internal sealed unsafe class Exec
{
    private readonly nint[] memory;
    private readonly byte* path;
    private readonly byte** argv;
    private readonly byte** envp;
    private readonly string cwd;
    private readonly string display;

    private Exec(nint[] memory, byte* path, byte** argv, byte** envp, string cwd, string display)
    {
        this.memory = memory;
        this.path = path;
        this.argv = argv;
        this.envp = envp;
        this.cwd = cwd;
        this.display = display;
    }

    public static Exec Prepare(Process process)
    {
        var env = process.Env ?? [];
        var program = Resolve(process.Args![0], env);
        var memory = new List<nint>();
        byte* Alloc(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s + "\0");
            var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
            bytes.CopyTo(new Span<byte>(p, bytes.Length));
            memory.Add((nint)p);
            return p;
        }
        byte** Array(List<string> items)
        {
            var a = (byte**)NativeMemory.AllocZeroed((nuint)(items.Count + 1), (nuint)sizeof(nint));
            memory.Add((nint)a);
            for (var i = 0; i < items.Count; i++)
            {
                a[i] = Alloc(items[i]);
            }
            return a;
        }
        var path = Alloc(program);
        var argv = Array(process.Args!);
        var envp = Array(env);
        return new Exec([.. memory], path, argv, envp, process.Cwd, program);
    }

    /// <summary>chdir, fds CLOEXEC, default signals and an empty mask (runtime-notes.md trap 5), execve.</summary>
    public void Run()
    {
        if (Native.Chdir(cwd) != 0)
        {
            throw Quai.Linux.LinuxException.FromLastError("chdir", cwd);
        }
        Native.CloseRange(3, uint.MaxValue, Native.CLOSE_RANGE_CLOEXEC);
        for (var sig = 1; sig < 65; sig++)
        {
            if (sig is not (9 or 19))
            {
                Native.Signal(sig, 0);
            }
        }
        var empty = stackalloc byte[128];
        new Span<byte>(empty, 128).Clear();
        Native.PthreadSigmask(Native.SIG_SETMASK, empty, null);
        Native.Execve(path, argv, envp);
        var e = Quai.Linux.LinuxException.FromLastError("execve", display);
        foreach (var p in memory)
        {
            NativeMemory.Free((void*)p);
        }
        throw e;
    }

    private static string Resolve(string program, List<string> env)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return program;
        }
        var pathVar = env.FirstOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var dir in pathVar.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"{program}: not found in PATH {pathVar}");
    }
}
