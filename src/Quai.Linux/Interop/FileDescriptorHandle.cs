using Microsoft.Win32.SafeHandles;

namespace Quai.Linux.Interop;

/// <summary>A raw file descriptor owned by a SafeHandle (STYLE.md §6: every fd in a SafeHandle).</summary>
public sealed class FileDescriptorHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public FileDescriptorHandle()
        : base(ownsHandle: true)
    {
    }

    public FileDescriptorHandle(int fd, bool ownsHandle = true)
        : base(ownsHandle)
    {
        SetHandle(fd);
    }

    /// <summary>The descriptor number. fd 0 is valid for the kernel; this type is for fds the runtime opens (never 0-2).</summary>
    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
