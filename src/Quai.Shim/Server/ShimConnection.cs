using Quai.Linux.Interop;

namespace Quai.Shim.Server;

/// <summary>One client of shim.sock: its request line while it arrives, then its role and output queue.</summary>
internal sealed class ShimConnection : IDisposable
{
    /// <summary>The longest request line accepted.</summary>
    public const int MaxRequest = 64 * 1024;

    public ShimConnection(FileDescriptorHandle fd) => Fd = fd;

    /// <summary>The connected, non-blocking socket.</summary>
    public FileDescriptorHandle Fd { get; }

    /// <summary>Bytes queued for the client (frames, reply lines).</summary>
    public ByteQueue Out { get; } = new();

    /// <summary>The request line so far (before it is complete).</summary>
    public ByteQueue Request { get; } = new();

    /// <summary>What the connection is for, once its request arrived.</summary>
    public ConnectionRole Role { get; set; }

    /// <summary>Attach: wants stdout frames.</summary>
    public bool WantsStdout { get; set; }

    /// <summary>Attach: wants stderr frames.</summary>
    public bool WantsStderr { get; set; }

    /// <summary>Attach: its bytes go to the container's stdin.</summary>
    public bool FeedsStdin { get; set; }

    /// <summary>The client half-closed (or stopped being read): poll no more for input.</summary>
    public bool ReadClosed { get; set; }

    /// <summary>Wait: answered before `runtime delete` (see ShimRequest.Early), closed when the shim finishes.</summary>
    public bool Early { get; set; }

    /// <summary>Close once <see cref="Out"/> is sent.</summary>
    public bool CloseAfterFlush { get; set; }

    /// <summary>Gone: to be removed from the loop.</summary>
    public bool Dead { get; set; }

    public void Dispose() => Fd.Dispose();
}

/// <summary>The request a connection made.</summary>
internal enum ConnectionRole
{
    /// <summary>The request line has not arrived yet.</summary>
    Pending,

    /// <summary>A stream of output frames (and stdin).</summary>
    Attached,

    /// <summary>Waiting for the exit status.</summary>
    Waiting,

    /// <summary>Answered; closing once flushed.</summary>
    Done,
}
