using System.Runtime.InteropServices;

namespace Quai.E2E.Tests.Infra;

/// <summary>The two syscalls the fixtures need to clean up: kill(2) and umount2(2).</summary>
internal static partial class Native
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int sig);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Umount2(string target, int flags);
}
