using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Quai.Oci.References;

/// <summary>
/// An image reference ("docker.io/library/busybox:latest", "localhost:5000/app@sha256:…"), parsed and
/// normalised with the grammar and rules of Docker's distribution/reference (reference.go, regexp.go,
/// normalize.go), so that every name a docker user types means the same image here.
/// </summary>
public sealed partial class ImageReference : IEquatable<ImageReference>
{
    /// <summary>The registry host Docker Hub references normalise to.</summary>
    public const string DockerHubDomain = "docker.io";

    /// <summary>The namespace of Docker Hub's official images ("busybox" → "library/busybox").</summary>
    public const string OfficialRepositoryPrefix = "library/";

    /// <summary>The tag a name without tag or digest gets.</summary>
    public const string DefaultTag = "latest";

    /// <summary>reference.go NameTotalLengthMax: a repository name is at most 255 characters.</summary>
    public const int NameTotalLengthMax = 255;

    private ImageReference(string domain, string path, string? tag, Digest? digest)
    {
        Domain = domain;
        Path = path;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The registry host, with port if any ("docker.io", "localhost:5000").</summary>
    public string Domain { get; }

    /// <summary>The repository path inside the registry ("library/busybox").</summary>
    public string Path { get; }

    /// <summary>The tag, if the reference has one.</summary>
    public string? Tag { get; }

    /// <summary>The digest, if the reference pins one.</summary>
    public Digest? Digest { get; }

    /// <summary>The full repository name, "domain/path".</summary>
    public string Name => Domain + "/" + Path;

    /// <summary>
    /// The name as docker shows it: Docker Hub's domain dropped, and "library/" for official images
    /// (normalize.go familiarizeName).
    /// </summary>
    public string FamiliarName
    {
        get
        {
            if (Domain != DockerHubDomain)
            {
                return Name;
            }
            if (Path.StartsWith(OfficialRepositoryPrefix, StringComparison.Ordinal) && !Path[OfficialRepositoryPrefix.Length..].Contains('/', StringComparison.Ordinal))
            {
                return Path[OfficialRepositoryPrefix.Length..];
            }
            return Path;
        }
    }

    /// <summary>The familiar name with tag and digest ("busybox:latest").</summary>
    public string FamiliarString => FamiliarName + Suffix;

    /// <summary>The reference as a tag or digest a registry's manifest endpoint takes (digest wins).</summary>
    public string ManifestReference => Digest?.ToString() ?? Tag ?? DefaultTag;

    private string Suffix => (Tag is null ? "" : ":" + Tag) + (Digest is { } d ? "@" + d : "");

    /// <summary>
    /// Parses and normalises what a user typed (normalize.go ParseNormalizedNamed): "busybox" becomes
    /// docker.io/library/busybox. No tag is added: see <see cref="WithDefaultTag"/>.
    /// Throws <see cref="FormatException"/> with docker's wording ("invalid reference format: …").
    /// </summary>
    public static ImageReference Parse(string value)
    {
        if (!TryParse(value, out var reference, out var error))
        {
            throw new FormatException(error);
        }
        return reference;
    }

    /// <summary>Parses like <see cref="Parse"/> without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out ImageReference? reference) =>
        TryParse(value, out reference, out _);

    /// <summary>Parses like <see cref="Parse"/>, returning docker's error message on failure.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out ImageReference? reference, out string error)
    {
        reference = null;
        if (string.IsNullOrEmpty(value))
        {
            error = "invalid reference format: repository name must have at least one component";
            return false;
        }
        if (AnchoredIdentifier().IsMatch(value))
        {
            error = $"invalid repository name ({value}), cannot specify 64-byte hexadecimal strings";
            return false;
        }
        var (domain, remainder) = SplitDockerDomain(value);
        var colon = remainder.IndexOf(':', StringComparison.Ordinal);
        var remoteName = colon >= 0 ? remainder[..colon] : remainder;
        if (!remoteName.Equals(remoteName.ToLowerInvariant(), StringComparison.Ordinal))
        {
            error = $"invalid reference format: repository name ({remoteName}) must be lowercase";
            return false;
        }
        return TryParseCanonical(domain + "/" + remainder, out reference, out error);
    }

    /// <summary>
    /// Parses a fully qualified reference without normalising (reference.go Parse + ParseNamed):
    /// the name must already start with a domain, as "docker.io/library/busybox" does.
    /// </summary>
    public static bool TryParseCanonical(string value, [NotNullWhen(true)] out ImageReference? reference, out string error)
    {
        reference = null;
        var m = ReferenceRegex().Match(value);
        if (!m.Success)
        {
            error = value.Length == 0
                ? "invalid reference format: repository name must have at least one component"
                : ReferenceRegex().IsMatch(value.ToLowerInvariant())
                    ? "invalid reference format: repository name must be lowercase"
                    : "invalid reference format";
            return false;
        }
        var name = m.Groups["name"].Value;
        if (name.Length > NameTotalLengthMax)
        {
            error = $"invalid reference format: repository name must not be more than {NameTotalLengthMax} characters";
            return false;
        }
        Digest? digest = null;
        if (m.Groups["digest"].Success)
        {
            if (!Quai.Oci.Digest.TryParse(m.Groups["digest"].Value, out var d))
            {
                error = "invalid reference format: invalid digest format";
                return false;
            }
            digest = d;
        }
        var domainMatch = AnchoredName().Match(name);
        var domain = domainMatch.Groups["domain"].Success ? domainMatch.Groups["domain"].Value : "";
        if (domain.Length == 0)
        {
            // ParseNamed refuses a name that is not canonical (no domain part).
            error = $"invalid reference format: repository name ({name}) must be canonical";
            return false;
        }
        var path = name[(domain.Length + 1)..];
        reference = new ImageReference(domain, path, m.Groups["tag"].Success ? m.Groups["tag"].Value : null, digest);
        error = "";
        return true;
    }

    /// <summary>
    /// normalize.go splitDockerDomain: the first component is a registry host only if it contains a
    /// dot or a colon, is "localhost", or has uppercase letters; otherwise the name is on Docker Hub,
    /// and a one-component name is an official image under "library/".
    /// </summary>
    private static (string Domain, string Remainder) SplitDockerDomain(string name)
    {
        string domain;
        string remainder;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || (name[..slash].IndexOfAny(['.', ':']) < 0 && name[..slash] != "localhost" && name[..slash].Equals(name[..slash].ToLowerInvariant(), StringComparison.Ordinal)))
        {
            domain = DockerHubDomain;
            remainder = name;
        }
        else
        {
            domain = name[..slash];
            remainder = name[(slash + 1)..];
        }
        if (domain == "index.docker.io")
        {
            domain = DockerHubDomain;
        }
        if (domain == DockerHubDomain && !remainder.Contains('/', StringComparison.Ordinal))
        {
            remainder = OfficialRepositoryPrefix + remainder;
        }
        return (domain, remainder);
    }

    /// <summary>This reference with the "latest" tag if it has neither tag nor digest (TagNameOnly).</summary>
    public ImageReference WithDefaultTag() => Tag is null && Digest is null ? new(Domain, Path, DefaultTag, null) : this;

    /// <summary>The same repository with another tag and no digest.</summary>
    public ImageReference WithTag(string tag)
    {
        if (!TagRegex().IsMatch(tag))
        {
            throw new FormatException($"invalid tag format \"{tag}\": a tag is up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'");
        }
        return new(Domain, Path, tag, null);
    }

    /// <summary>The same repository pinned to <paramref name="digest"/> (the tag is kept, as docker does).</summary>
    public ImageReference WithDigest(Digest digest) => new(Domain, Path, Tag, digest);

    /// <summary>The fully qualified form, "docker.io/library/busybox:latest".</summary>
    public override string ToString() => Name + Suffix;

    public bool Equals(ImageReference? other) => other is not null && ToString() == other.ToString();

    public override bool Equals(object? obj) => Equals(obj as ImageReference);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    // regexp.go, composed: alphanumeric, separator ([_.]|__|[-]+), path components joined by '/',
    // a domain of DNS labels or a bracketed IPv6 address with an optional port.
    private const string PathComponent = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
    private const string DomainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private const string DomainAndPort = "(?:" + DomainComponent + "(?:\\." + DomainComponent + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?";
    private const string RemoteName = PathComponent + "(?:/" + PathComponent + ")*";
    private const string TagPattern = "[\\w][\\w.-]{0,127}";
    private const string DigestPattern = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

    [GeneratedRegex("^(?<name>(?:" + DomainAndPort + "/)?" + RemoteName + ")(?::(?<tag>" + TagPattern + "))?(?:@(?<digest>" + DigestPattern + "))?$", RegexOptions.CultureInvariant)]
    private static partial Regex ReferenceRegex();

    [GeneratedRegex("^(?:(?<domain>" + DomainAndPort + ")/)?" + RemoteName + "$", RegexOptions.CultureInvariant)]
    private static partial Regex AnchoredName();

    [GeneratedRegex("^[a-f0-9]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex AnchoredIdentifier();

    [GeneratedRegex("^" + TagPattern + "$", RegexOptions.CultureInvariant)]
    private static partial Regex TagRegex();
}
