using System.Runtime.InteropServices;
using System.Text;

namespace Quai.RootfsProbe;

/// <summary>execve(2) with argv and envp marshalled up front, so nothing needs loading after pivot_root.</summary>
internal sealed unsafe partial class Exec : IDisposable
{
    private readonly List<IntPtr> _allocations = [];
    private readonly byte* _path;
    private readonly byte** _argv;
    private readonly byte** _envp;

    public Exec(string path, IReadOnlyList<string> args, IReadOnlyList<string> env)
    {
        _path = Utf8(path);
        _argv = Vector(args);
        _envp = Vector(env);
    }

    /// <summary>Replaces the process; returns only by throwing.</summary>
    public void Run()
    {
        Execve(_path, _argv, _envp);
        var errno = Marshal.GetLastPInvokeError();
        throw new IOException($"execve {Marshal.PtrToStringUTF8((IntPtr)_path)}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    public void Dispose()
    {
        foreach (var p in _allocations)
        {
            Marshal.FreeHGlobal(p);
        }
        _allocations.Clear();
    }

    private byte* Utf8(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s + "\0");
        var p = Marshal.AllocHGlobal(bytes.Length);
        _allocations.Add(p);
        Marshal.Copy(bytes, 0, p, bytes.Length);
        return (byte*)p;
    }

    private byte** Vector(IReadOnlyList<string> items)
    {
        var p = Marshal.AllocHGlobal((items.Count + 1) * sizeof(IntPtr));
        _allocations.Add(p);
        var v = (byte**)p;
        for (var i = 0; i < items.Count; i++)
        {
            v[i] = Utf8(items[i]);
        }
        v[items.Count] = null;
        return v;
    }

    /// <summary>execve(2): https://man7.org/linux/man-pages/man2/execve.2.html</summary>
    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true)]
    private static partial int Execve(byte* path, byte** argv, byte** envp);
}
