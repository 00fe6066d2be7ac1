using Quai.Oci.Image;

namespace Quai.Images.Formats;

/// <summary>An image found in (or to be written to) an OCI layout or docker archive.</summary>
/// <param name="Target">The manifest or index descriptor (index.json entry).</param>
/// <param name="References">Its names, fully qualified or familiar ("busybox:latest").</param>
public sealed record LayoutImage(Descriptor Target, IReadOnlyList<string> References);
