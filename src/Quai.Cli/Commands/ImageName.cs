namespace Quai.Cli.Commands;

/// <summary>Splits an image reference into what /images/create and /push take: name, tag or digest, registry.</summary>
internal readonly record struct ImageName(string Name, string? Tag, string? Digest)
{
    /// <summary>"name:tag", "name@sha256:...", "host:5000/name" (tag defaults to latest when neither is given).</summary>
    public static ImageName Parse(string reference, bool defaultTag = true)
    {
        string? digest = null;
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = reference[(at + 1)..];
            reference = reference[..at];
        }
        string? tag = null;
        var colon = reference.LastIndexOf(':');
        if (colon > reference.LastIndexOf('/'))
        {
            tag = reference[(colon + 1)..];
            reference = reference[..colon];
        }
        if (tag is null && digest is null && defaultTag)
        {
            tag = "latest";
        }
        return new ImageName(reference, tag, digest);
    }

    /// <summary>The registry host ("docker.io" when the first component is not a host).</summary>
    public string Registry
    {
        get
        {
            var slash = Name.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                return "docker.io";
            }
            var first = Name[..slash];
            return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost" ? first : "docker.io";
        }
    }

    /// <summary>name:tag or name@digest, as docker prints it.</summary>
    public override string ToString() => Name + (Digest is not null ? "@" + Digest : ":" + Tag);
}
