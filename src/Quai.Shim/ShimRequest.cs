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

    /// <summary>resize: columns.</summary>
    public int Width { get; init; }

    /// <summary>resize: rows.</summary>
    public int Height { get; init; }
}
