namespace Quai.Runtime;

/// <summary>
/// A failure the runtime reports to its caller as runc does: one message on stderr (and in the
/// --log file) and exit status 1. The message names the container, path or flag involved.
/// </summary>
public sealed class RuntimeException : Exception
{
    public RuntimeException(string message)
        : base(message)
    {
    }

    public RuntimeException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public RuntimeException()
    {
    }
}
