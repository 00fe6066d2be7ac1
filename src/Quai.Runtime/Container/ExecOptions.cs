using OciProcess = Quai.Oci.Runtime.Process;

namespace Quai.Runtime.Container;

/// <summary>The flags of `exec`.</summary>
public sealed class ExecOptions
{
    public string Id { get; set; } = "";

    /// <summary>The process to run, already merged from --process or the flags over the container's defaults.</summary>
    public OciProcess Process { get; set; } = new();
    public string? ConsoleSocket { get; set; }

    /// <summary>An already connected console socket fd (exec -t without --console-socket).</summary>
    public int? ConsoleSocketFd { get; set; }
    public bool Detach { get; set; }
    public string? PidFile { get; set; }
    public int PreserveFds { get; set; }
}
