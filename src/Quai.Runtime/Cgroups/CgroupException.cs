namespace Quai.Runtime.Cgroups;

/// <summary>
/// A cgroup operation failed: the message names the cgroup file or path, the value, and what the
/// user can do. <see cref="Exception.InnerException"/> holds the kernel error when there is one.
/// </summary>
public sealed class CgroupException : Exception
{
    public CgroupException()
    {
    }

    public CgroupException(string message)
        : base(message)
    {
    }

    public CgroupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
