namespace Quai.Shim.Client;

/// <summary>The shim or the runtime behind it failed; the message is theirs (e.g. the runtime's "executable file not found").</summary>
public sealed class ShimException : Exception
{
    public ShimException()
    {
    }

    public ShimException(string message)
        : base(message)
    {
    }

    public ShimException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
