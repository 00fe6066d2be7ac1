using System.Runtime.InteropServices;

namespace Quai.Linux;

/// <summary>
/// A failed system call: names the call, the path or object it acted on, and the errno
/// (STYLE.md §6: errno turned into exceptions that name the syscall and the path).
/// </summary>
public sealed class LinuxException : IOException
{
    public LinuxException(string syscall, int errno, string? subject = null)
        : base(Format(syscall, errno, subject))
    {
        Syscall = syscall;
        Errno = errno;
        Subject = subject;
        HResult = errno;
    }

    /// <summary>The system call that failed, e.g. "mount".</summary>
    public string Syscall { get; }

    /// <summary>The errno value.</summary>
    public int Errno { get; }

    /// <summary>The path or object the call acted on, if any.</summary>
    public string? Subject { get; }

    /// <summary>Throws for the calling thread's last errno (use after a call with SetLastError = true).</summary>
    public static LinuxException FromLastError(string syscall, string? subject = null) =>
        new(syscall, Marshal.GetLastPInvokeError(), subject);

    /// <summary>Throws when <paramref name="result"/> is -1; returns it otherwise.</summary>
    public static int ThrowIfError(int result, string syscall, string? subject = null) =>
        result == -1 ? throw FromLastError(syscall, subject) : result;

    /// <summary>Throws when <paramref name="result"/> is -1; returns it otherwise.</summary>
    public static long ThrowIfError(long result, string syscall, string? subject = null) =>
        result == -1 ? throw FromLastError(syscall, subject) : result;

    private static string Format(string syscall, int errno, string? subject) =>
        subject is null
            ? $"{syscall}: {Errnos.Describe(errno)}"
            : $"{syscall} {subject}: {Errnos.Describe(errno)}";
}
