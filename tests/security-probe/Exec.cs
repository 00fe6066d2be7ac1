using System.Runtime.InteropServices;
using System.Text;
using Quai.Oci.Runtime;

namespace Quai.SecurityProbe;

/// <summary>The execve of process.args, with the argument and environment arrays built beforehand.</summary>
internal sealed unsafe class Exec
{
    private readonly nint[] memory;
    private readonly byte* path;
    private readonly byte** argv;
    private readonly byte** envp;
    private readonly string cwd;
    private readonly string display;
    private readonly List<Rlimit> rlimits;

    private Exec(nint[] memory, byte* path, byte** argv, byte** envp, string cwd, string display, List<Rlimit> rlimits)
    {
        this.rlimits = rlimits;
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
        return new Exec([.. memory], path, argv, envp, process.Cwd, program, process.Rlimits ?? []);
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
        // As quai-runtime's ProcessFinisher.Exec: the address-space limits go last.
        Quai.Runtime.Security.Rlimits.ApplyAddressSpace(rlimits);
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
