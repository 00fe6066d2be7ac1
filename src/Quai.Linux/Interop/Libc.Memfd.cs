using System.Runtime.InteropServices;

namespace Quai.Linux.Interop;

// Anonymous in-memory files: memfd_create(2).
public static unsafe partial class Libc
{
    public const uint MFD_CLOEXEC = 0x0001;

    /// <summary>memfd_create(2): https://man7.org/linux/man-pages/man2/memfd_create.2.html (pass MFD_CLOEXEC).</summary>
    [LibraryImport(Name, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MemfdCreate(string name, uint flags);
}
