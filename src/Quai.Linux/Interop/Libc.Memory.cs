using System.Runtime.InteropServices;

namespace Quai.Linux.Interop;

// Anonymous memory for the machine-code routine of CloneSpawn.
public static unsafe partial class Libc
{
    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;
    public const int PROT_EXEC = 0x4;
    public const int MAP_PRIVATE = 0x02;
    public const int MAP_ANONYMOUS = 0x20;

    /// <summary>mmap(2)</summary>
    [LibraryImport(Name, EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    /// <summary>mprotect(2)</summary>
    [LibraryImport(Name, EntryPoint = "mprotect", SetLastError = true)]
    public static partial int Mprotect(void* addr, nuint length, int prot);
}
