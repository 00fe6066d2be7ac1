namespace Quai.Runtime.Container;

/// <summary>The flags of `create` (and the create half of `run`).</summary>
public sealed class CreateOptions
{
    public string Id { get; set; } = "";
    public string Bundle { get; set; } = ".";
    public string? PidFile { get; set; }
    public string? ConsoleSocket { get; set; }

    /// <summary>An already connected console socket fd (run -t without --console-socket).</summary>
    public int? ConsoleSocketFd { get; set; }
    public bool NoPivot { get; set; }
    public bool NoNewKeyring { get; set; }
    public int PreserveFds { get; set; }
}
