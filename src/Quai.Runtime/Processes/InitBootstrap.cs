using System.Text.Json.Serialization;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Processes;

/// <summary>What the parent tells a freshly spawned init (container init or exec-init) over the init socket.</summary>
public sealed class InitBootstrap
{
    /// <summary>The container's config (for exec: with the exec'd process in place of process).</summary>
    [JsonPropertyName("spec")] public Spec Spec { get; set; } = new();

    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";

    /// <summary>ROOT/ID/exec.fifo (container init only).</summary>
    [JsonPropertyName("execFifo")] public string? ExecFifo { get; set; }

    /// <summary>The container state, as hooks receive it on stdin.</summary>
    [JsonPropertyName("stateJson")] public string StateJson { get; set; } = "";

    /// <summary>Parent asks to run prestart/createRuntime hooks before pivot_root.</summary>
    [JsonPropertyName("parentHooks")] public bool ParentHooks { get; set; }

    /// <summary>--preserve-fds: fds 3..3+N-1 stay open in the container process.</summary>
    [JsonPropertyName("preserveFds")] public int PreserveFds { get; set; }

    /// <summary>Whether a console socket was passed (fd number in _QUAI_CONSOLE_FD).</summary>
    [JsonPropertyName("hasConsole")] public bool HasConsole { get; set; }

    /// <summary>exec-init only: the container init's host pid, whose mount namespace to join.</summary>
    [JsonPropertyName("initPid")] public int InitPid { get; set; }

    /// <summary>--no-pivot: move the rootfs onto / and chroot instead of pivot_root.</summary>
    [JsonPropertyName("noPivot")] public bool NoPivot { get; set; }

    /// <summary>Print every kernel call the init makes (global --debug).</summary>
    [JsonPropertyName("debug")] public bool Debug { get; set; }
}
