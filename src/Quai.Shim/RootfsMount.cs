namespace Quai.Shim;

/// <summary>
/// One mount of a container's root filesystem, as --rootfs-mounts lists them (the snapshot's
/// overlay, from Quai.Images' MountSpec): mount(8)-style type, source and options.
/// </summary>
public sealed record RootfsMount
{
    /// <summary>The filesystem type ("overlay", "bind", "tmpfs", ...).</summary>
    public string Type { get; init; } = "";

    /// <summary>The mount source ("overlay", a directory for a bind).</summary>
    public string Source { get; init; } = "";

    /// <summary>mount(8) options: flags such as "ro" or "rbind", and data such as "lowerdir=…".</summary>
    public IReadOnlyList<string> Options { get; init; } = [];
}
