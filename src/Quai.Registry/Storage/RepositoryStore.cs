using System.Text;
using System.Text.RegularExpressions;
using Quai.Images;
using Quai.Images.Content;
using Quai.Oci;

namespace Quai.Registry.Storage;

/// <summary>
/// The registry's storage: blobs in a verified content store (content/), per-repository links that
/// decide what each repository can see (repositories/&lt;name&gt;/_layers, _manifests/revisions,
/// _manifests/tags, _referrers), and upload sessions (uploads/&lt;uuid&gt;). The layout mirrors
/// docker's registry (registry/storage/paths.go) so that a blob is visible in a repository only
/// when linked there, and deleting a link never touches content another repository shares.
/// </summary>
public sealed partial class RepositoryStore
{
    private readonly string _repositories;
    private readonly string _uploads;

    public RepositoryStore(string root)
    {
        Root = Path.GetFullPath(root);
        Content = new LocalContentStore(Path.Combine(Root, "content"));
        _repositories = Path.Combine(Root, "repositories");
        _uploads = Path.Combine(Root, "uploads");
        Directory.CreateDirectory(_repositories);
        Directory.CreateDirectory(_uploads);
    }

    /// <summary>The storage root.</summary>
    public string Root { get; }

    /// <summary>The content store holding every blob and manifest.</summary>
    public IContentStore Content { get; }

    /// <summary>True when <paramref name="name"/> matches the spec's name grammar (spec.md#pulling-manifests).</summary>
    public static bool IsValidName(string name) => name.Length <= 255 && NameRegex().IsMatch(name);

    /// <summary>True when <paramref name="tag"/> matches the spec's tag grammar.</summary>
    public static bool IsValidTag(string tag) => TagRegex().IsMatch(tag);

    /// <summary>Throws NAME_INVALID unless the name is valid.</summary>
    public static void CheckName(string name)
    {
        if (!IsValidName(name))
        {
            throw new RegistryException(RegistryError.NameInvalid, $"invalid repository name \"{name}\"", name);
        }
    }

    /// <summary>True when the repository has anything linked.</summary>
    public bool RepositoryExists(string name) => Directory.Exists(RepositoryPath(name));

    /// <summary>Every repository, sorted (for /v2/_catalog).</summary>
    public List<string> ListRepositories()
    {
        var result = new List<string>();
        if (!Directory.Exists(_repositories))
        {
            return result;
        }
        foreach (var dir in Directory.EnumerateDirectories(_repositories, "_manifests", SearchOption.AllDirectories))
        {
            var repo = Path.GetRelativePath(_repositories, Path.GetDirectoryName(dir)!).Replace('\\', '/');
            if (IsValidName(repo))
            {
                result.Add(repo);
            }
        }
        result.Sort(StringComparer.Ordinal);
        return result;
    }

    // ---- blob links ----

    /// <summary>True when <paramref name="digest"/> is linked into <paramref name="name"/> and present.</summary>
    public async Task<ContentInfo?> StatBlobAsync(string name, Digest digest, CancellationToken cancellationToken)
    {
        if (!File.Exists(LayerLinkPath(name, digest)) && !File.Exists(RevisionPath(name, digest)))
        {
            return null;
        }
        return await Content.InfoAsync(digest, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Links a committed blob into a repository.</summary>
    public void LinkBlob(string name, Digest digest) => WriteLink(LayerLinkPath(name, digest), digest.ToString());

    /// <summary>Removes a blob's link from a repository; false if it was not linked.</summary>
    public bool UnlinkBlob(string name, Digest digest)
    {
        var path = LayerLinkPath(name, digest);
        if (!File.Exists(path))
        {
            return false;
        }
        File.Delete(path);
        return true;
    }

    /// <summary>Every blob linked into any repository's _layers (for garbage collection's sweep of links).</summary>
    public IEnumerable<(string Repository, Digest Digest, string LinkPath)> EnumerateLayerLinks()
    {
        foreach (var repo in ListRepositories())
        {
            var layers = Path.Combine(RepositoryPath(repo), "_layers");
            if (!Directory.Exists(layers))
            {
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(layers, "*", SearchOption.AllDirectories))
            {
                var algorithm = Path.GetFileName(Path.GetDirectoryName(file)!);
                if (Digest.TryParse(algorithm + ":" + Path.GetFileName(file), out var d))
                {
                    yield return (repo, d, file);
                }
            }
        }
    }

    // ---- paths ----

    private string RepositoryPath(string name)
    {
        CheckName(name);
        return Path.Combine(_repositories, name);
    }

    private string LayerLinkPath(string name, Digest digest) =>
        Path.Combine(RepositoryPath(name), "_layers", digest.Algorithm, digest.Encoded);

    private string RevisionPath(string name, Digest digest) =>
        Path.Combine(RepositoryPath(name), "_manifests", "revisions", digest.Algorithm, digest.Encoded);

    private string TagPath(string name, string tag) => Path.Combine(RepositoryPath(name), "_manifests", "tags", tag);

    private string ReferrersPath(string name, Digest subject) =>
        Path.Combine(RepositoryPath(name), "_referrers", subject.Algorithm, subject.Encoded);

    /// <summary>Writes a small file atomically (temp file, fsync, rename) so a crash never leaves half a link.</summary>
    private static void WriteLink(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            f.Write(Encoding.UTF8.GetBytes(content));
            f.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static async Task<ContentInfo> CommitStreamAsync(IContentStore content, Stream source, Digest expected, long? expectedSize, CancellationToken cancellationToken)
    {
        if (await content.InfoAsync(expected, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            // Already stored (another repository pushed it): still check that what was sent is that content.
            await VerifyStreamAsync(source, expected, cancellationToken).ConfigureAwait(false);
            return existing;
        }
        IContentWriter writer;
        var refKey = "registry-" + Guid.NewGuid().ToString("N");
        try
        {
            writer = await content.OpenWriterAsync(refKey, expected, expectedSize, cancellationToken).ConfigureAwait(false);
        }
        catch (ImageException e) when (e.Kind == ImageErrorKind.AlreadyExists)
        {
            await VerifyStreamAsync(source, expected, cancellationToken).ConfigureAwait(false);
            return await content.InfoAsync(expected, cancellationToken).ConfigureAwait(false) ?? throw new RegistryException(RegistryError.BlobUnknown, $"blob {expected} vanished while being stored", expected.ToString());
        }
        var committed = false;
        try
        {
            await using (writer.ConfigureAwait(false))
            {
                var buffer = new byte[81920];
                int n;
                while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await writer.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                }
                try
                {
                    var info = await writer.CommitAsync(expectedSize, expected, cancellationToken).ConfigureAwait(false);
                    committed = true;
                    return info;
                }
                catch (ImageException e) when (e.Kind == ImageErrorKind.FailedPrecondition)
                {
                    throw new RegistryException(RegistryError.DigestInvalid, $"uploaded content does not match digest {expected}: {e.Message}", expected.ToString());
                }
            }
        }
        finally
        {
            if (!committed)
            {
                // The registry's ingests are never resumed (a client resumes through its upload session): drop the partial data.
                await AbortQuietlyAsync(content, refKey).ConfigureAwait(false);
            }
        }
    }

    private static async Task AbortQuietlyAsync(IContentStore content, string refKey)
    {
        try
        {
            await content.AbortAsync(refKey, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ImageException e) when (e.Kind == ImageErrorKind.NotFound)
        {
            // Commit's mismatch path already deleted it.
        }
    }

    private static async Task VerifyStreamAsync(Stream source, Digest expected, CancellationToken cancellationToken)
    {
        using var hasher = expected.CreateHasher();
        var buffer = new byte[81920];
        int n;
        while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hasher.AppendData(buffer, 0, n);
        }
        var actual = Digest.FromHash(expected.Algorithm, hasher.GetHashAndReset());
        if (actual != expected)
        {
            throw new RegistryException(RegistryError.DigestInvalid, $"uploaded content has digest {actual}, not {expected}", expected.ToString());
        }
    }

    // distribution-spec: <name> and <reference> grammars (spec.md#pulling-manifests).
    [GeneratedRegex("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();

    [GeneratedRegex("^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagRegex();
}
