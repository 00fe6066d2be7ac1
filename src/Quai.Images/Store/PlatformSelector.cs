using System.Runtime.InteropServices;
using Quai.Oci.Image;

namespace Quai.Images.Store;

/// <summary>
/// Parses "os/arch[/variant]" (docker --platform) and picks the matching manifest of an index,
/// normalising architecture names as containerd's platforms package does (x86_64 → amd64,
/// aarch64 → arm64, arm64's default variant v8, arm's v7).
/// </summary>
public static class PlatformSelector
{
    /// <summary>The platform images are selected for when none is given.</summary>
    public static Platform Default => new()
    {
        Os = "linux",
        Architecture = RuntimeInformation.OSArchitecture switch
        {
            Architecture.Arm64 => "arm64",
            Architecture.Arm => "arm",
            _ => "amd64",
        }
    };

    /// <summary>Parses "linux/amd64", "linux/arm64/v8", "linux/arm/v7".</summary>
    public static Platform Parse(string value)
    {
        var parts = value.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(string.IsNullOrWhiteSpace))
        {
            throw new ImageException(ImageErrorKind.InvalidArgument, $"invalid platform \"{value}\": expected os/arch[/variant], e.g. linux/amd64");
        }
        return Normalize(new Platform { Os = parts[0].ToLowerInvariant(), Architecture = parts[1].ToLowerInvariant(), Variant = parts.Length == 3 ? parts[2].ToLowerInvariant() : null });
    }

    /// <summary>"os/arch[/variant]".</summary>
    public static string Format(Platform p) => p.Os + "/" + p.Architecture + (string.IsNullOrEmpty(p.Variant) ? "" : "/" + p.Variant);

    /// <summary>Canonical architecture and variant names.</summary>
    public static Platform Normalize(Platform p)
    {
        var arch = p.Architecture switch
        {
            "x86_64" or "x86-64" => "amd64",
            "aarch64" => "arm64",
            "i386" or "i686" => "386",
            _ => p.Architecture,
        };
        var variant = (arch, p.Variant) switch
        {
            ("arm64", "v8" or "8") => null,
            ("arm", null or "" or "7") => "v7",
            ("arm", "6") => "v6",
            ("amd64", "v1") => null,
            _ => string.IsNullOrEmpty(p.Variant) ? null : p.Variant,
        };
        return new Platform { Os = p.Os, Architecture = arch, Variant = variant, OsVersion = p.OsVersion };
    }

    /// <summary>True if an image for <paramref name="candidate"/> runs on <paramref name="wanted"/>.</summary>
    public static bool Matches(Platform wanted, Platform? candidate)
    {
        if (candidate is null)
        {
            return false;
        }
        var w = Normalize(wanted);
        var c = Normalize(candidate);
        return w.Os == c.Os && w.Architecture == c.Architecture && (w.Variant is null || w.Variant == c.Variant);
    }

    /// <summary>The first manifest of <paramref name="index"/> for <paramref name="wanted"/>; throws NotFound naming what is there.</summary>
    public static Descriptor Select(ImageIndex index, Platform wanted, string what)
    {
        var match = index.Manifests.FirstOrDefault(m => MediaTypes.IsManifest(m.MediaType) && Matches(wanted, m.Platform))
            // An index entry without platform (OCI layouts written by some tools) is taken as a last resort.
            ?? index.Manifests.FirstOrDefault(m => MediaTypes.IsManifest(m.MediaType) && m.Platform is null && index.Manifests.Count == 1);
        return match ?? throw new ImageException(ImageErrorKind.NotFound,
            $"{what} has no manifest for {Format(wanted)} (available: {string.Join(", ", index.Manifests.Where(m => m.Platform is not null).Select(m => Format(m.Platform!)))}); pick one with --platform");
    }
}
