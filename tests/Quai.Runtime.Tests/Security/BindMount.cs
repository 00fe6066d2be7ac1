using System.Runtime.InteropServices;

namespace Quai.Runtime.Tests.Security;

/// <summary>A bind mount made by a test and detached on dispose (mount(2), umount2(2)).</summary>
internal sealed partial class BindMount : IDisposable
{
    private const ulong MsBind = 0x1000;
    private const ulong MsRec = 0x4000;
    private const int MntDetach = 2;

    private BindMount(string target) => Target = target;

    /// <summary>Where the mount is.</summary>
    public string Target { get; }

    /// <summary>Bind-mounts <paramref name="source"/> (recursively) on <paramref name="target"/>.</summary>
    public static BindMount Create(string source, string target)
    {
        if (Mount(source, target, null, MsBind | MsRec, 0) != 0)
        {
            throw new IOException($"mount --rbind {source} {target}: errno {Marshal.GetLastPInvokeError()}");
        }
        return new BindMount(target);
    }

    public void Dispose()
    {
        if (Umount2(Target, MntDetach) != 0)
        {
            throw new IOException($"umount2 {Target}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Mount(string source, string target, string? type, ulong flags, nint data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2(string target, int flags);
}
