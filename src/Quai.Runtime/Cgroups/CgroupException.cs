namespace Quai.Runtime.Cgroups;

/// <summary>
/// A cgroup operation failed: the message names the cgroup file or path, the value, and what the
/// user can do. <see cref="Exception.InnerException"/> holds the kernel error when there is one.
/// </summary>
public sealed class CgroupException : Exception
{
    /// <summary>A cgroup error without details (prefer the message overloads).</summary>
    public CgroupException()
    {
    }

    /// <summary>A cgroup error described by <paramref name="message"/>.</summary>
    public CgroupException(string message)
        : base(message)
    {
    }

    /// <summary>A cgroup error caused by <paramref name="innerException"/> (usually the kernel's errno as an IOException).</summary>
    public CgroupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
