namespace Quai.Shim;

/// <summary>The one JSON line a client sends first on shim.sock.</summary>
public sealed record ShimRequest
{
    /// <summary>attach, wait, resize, state or closeStdin.</summary>
    public string Op { get; init; } = "";

    /// <summary>attach: forward this connection's bytes to the container's stdin.</summary>
    public bool Stdin { get; init; }

    /// <summary>attach: send the container's stdout.</summary>
    public bool Stdout { get; init; }

    /// <summary>attach: send the container's stderr.</summary>
    public bool Stderr { get; init; }

    /// <summary>attach: replay the log first (not supported: docker's attach replays nothing either).</summary>
    public bool Logs { get; init; }

    /// <summary>
    /// wait: first an {"ok":true} line once the waiter is registered; then the exit line as soon as
    /// the process has exited, nothing of the container runs any more and its rootfs is unmounted,
    /// before `runtime delete`; the connection then stays open until the shim has finished (runtime
    /// state deleted), so that its end of file says so.
    /// </summary>
    public bool Early { get; init; }

    /// <summary>resize: columns.</summary>
    public int Width { get; init; }

    /// <summary>resize: rows.</summary>
    public int Height { get; init; }
}
