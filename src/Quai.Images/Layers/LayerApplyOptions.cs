namespace Quai.Images.Layers;

/// <summary>How <see cref="LayerApplier"/> writes a layer.</summary>
public sealed class LayerApplyOptions
{
    /// <summary>
    /// True when the target is an overlay layer directory (a snapshot's fs): whiteouts become 0:0
    /// character devices and opaque directories get trusted.overlay.opaque=y, as overlayfs reads
    /// them (kernel Documentation/filesystems/overlayfs.rst, "whiteouts and opaque directories").
    /// False unpacks flat: whiteouts delete what they name from the target.
    /// </summary>
    public bool OverlayWhiteouts { get; init; }

    /// <summary>
    /// Layer directories below the target, topmost first, for hardlinks whose target lives in a
    /// lower layer (overlay form only: flat targets already hold the lower content).
    /// </summary>
    public IReadOnlyList<string> LowerDirs { get; init; } = [];

    /// <summary>Whether character and block device entries may be created (fifos always may).</summary>
    public bool AllowDevices { get; init; } = true;

    /// <summary>Whether to apply the entries' owners (lchown); defaults to true when running as root.</summary>
    public bool? ApplyOwnership { get; init; }

    /// <summary>The largest single file accepted; a bigger entry is refused as hostile or corrupt.</summary>
    public long MaxFileSize { get; init; } = 64L << 30;

    /// <summary>The largest uncompressed layer accepted (a decompression bomb is refused past it).</summary>
    public long MaxUncompressedSize { get; init; } = 512L << 30;
}
