namespace Quai.Images.Layers;

/// <summary>Validates and normalises the paths inside a layer tar.</summary>
public static class TarPath
{
    /// <summary>
    /// Returns <paramref name="name"/> as a relative path without "." or empty components ("" for
    /// the root itself). Absolute paths and ".." components are refused: a layer that needs them is
    /// hostile (CVE-2019-14271-style path traversal), as image-spec layer.md lists only relative paths.
    /// </summary>
    public static string Clean(string name, string what = "entry")
    {
        if (name.StartsWith('/'))
        {
            throw Hostile(name, what, "absolute path");
        }
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw Hostile(name, what, "NUL byte in the name");
        }
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }
            if (part == "..")
            {
                throw Hostile(name, what, "\"..\" component");
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>The parent of a cleaned path ("" for a top-level name) and its last component.</summary>
    public static (string Parent, string Name) Split(string clean)
    {
        var slash = clean.LastIndexOf('/');
        return slash < 0 ? ("", clean) : (clean[..slash], clean[(slash + 1)..]);
    }

    internal static ImageException Hostile(string name, string what, string why) =>
        new(ImageErrorKind.InvalidArgument, $"layer {what} \"{name}\" refused: {why}; the layer is malformed or hostile");
}
