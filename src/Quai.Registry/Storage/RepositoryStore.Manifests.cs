using System.Text.Json;
using Quai.Images;
using Quai.Oci;
using Quai.Oci.Image;

namespace Quai.Registry.Storage;

/// <summary>A manifest as stored: its bytes' digest, size and media type.</summary>
/// <param name="Digest">The digest of the manifest bytes.</param>
/// <param name="Size">The manifest's size.</param>
/// <param name="MediaType">The media type it was pushed with.</param>
public sealed record StoredManifest(Digest Digest, long Size, string MediaType);

public sealed partial class RepositoryStore
{
    /// <summary>
    /// Stores a pushed manifest (spec.md#pushing-manifests): checks its JSON, that every blob and
    /// child manifest it names is in the repository (MANIFEST_BLOB_UNKNOWN otherwise), that a digest
    /// reference matches the bytes (DIGEST_INVALID), then commits it, links the revision, moves the
    /// tag and records it as a referrer of its subject. Returns what was stored and the subject.
    /// </summary>
    public async Task<(StoredManifest Manifest, Digest? Subject)> PutManifestAsync(string name, string reference, string? contentType, byte[] body, CancellationToken cancellationToken)
    {
        CheckName(name);
        var isDigest = Digest.TryParse(reference, out var referenceDigest);
        if (!isDigest && !IsValidTag(reference))
        {
            throw new RegistryException(RegistryError.ManifestInvalid, $"invalid tag \"{reference}\"", reference);
        }
        var digest = isDigest ? Digest.FromHash(referenceDigest.Algorithm, Hash(referenceDigest.Algorithm, body)) : Digest.FromBytes(body);
        if (isDigest && digest != referenceDigest)
        {
            throw new RegistryException(RegistryError.DigestInvalid, $"manifest digest {digest} does not match the reference {referenceDigest}", referenceDigest.ToString());
        }
        var parsed = ParseManifest(body, contentType);
        foreach (var blob in parsed.Blobs)
        {
            if (await StatBlobAsync(name, blob, cancellationToken).ConfigureAwait(false) is null)
            {
                throw new RegistryException(RegistryError.ManifestBlobUnknown, $"blob {blob} named by the manifest is not in repository {name}: push it first", blob.ToString());
            }
        }
        foreach (var child in parsed.Manifests)
        {
            if (!File.Exists(RevisionPath(name, child)))
            {
                throw new RegistryException(RegistryError.ManifestBlobUnknown, $"manifest {child} named by the index is not in repository {name}: push it first", child.ToString());
            }
        }
        using (var source = new MemoryStream(body, writable: false))
        {
            await CommitStreamAsync(Content, source, digest, body.LongLength, cancellationToken).ConfigureAwait(false);
        }
        WriteLink(RevisionPath(name, digest), parsed.MediaType);
        if (!isDigest)
        {
            WriteLink(TagPath(name, reference), digest.ToString());
        }
        if (parsed.Subject is { } subject)
        {
            var descriptor = new Descriptor
            {
                MediaType = parsed.MediaType,
                Digest = digest,
                Size = body.LongLength,
                ArtifactType = parsed.ArtifactType,
                Annotations = parsed.Annotations,
            };
            WriteLink(Path.Combine(ReferrersPath(name, subject), digest.Algorithm + "-" + digest.Encoded), JsonSerializer.Serialize(descriptor, OciJsonContext.Default.Descriptor));
        }
        return (new StoredManifest(digest, body.LongLength, parsed.MediaType), parsed.Subject);
    }

    /// <summary>Resolves a tag or digest to a stored manifest, or throws MANIFEST_UNKNOWN.</summary>
    public async Task<StoredManifest> ResolveManifestAsync(string name, string reference, CancellationToken cancellationToken)
    {
        CheckName(name);
        Digest digest;
        if (!Digest.TryParse(reference, out digest))
        {
            if (!IsValidTag(reference))
            {
                // Nothing can be stored under a reference that is neither a tag nor a digest, so a
                // read answers 404 as for any unknown manifest (the conformance suite's
                // ".INVALID_MANIFEST_NAME" case; distribution's router does the same). A push of
                // such a tag is refused with MANIFEST_INVALID instead (PutManifestAsync).
                throw new RegistryException(RegistryError.ManifestUnknown, $"manifest \"{reference}\" is not in repository {name}: it is neither a valid tag nor a digest", reference);
            }
            var target = ReadLink(TagPath(name, reference));
            if (target is null || !Digest.TryParse(target, out digest))
            {
                throw new RegistryException(RegistryError.ManifestUnknown, $"manifest tagged \"{reference}\" is not in repository {name}", reference);
            }
        }
        var mediaType = ReadLink(RevisionPath(name, digest));
        var info = mediaType is null ? null : await Content.InfoAsync(digest, cancellationToken).ConfigureAwait(false);
        if (info is null)
        {
            throw new RegistryException(RegistryError.ManifestUnknown, $"manifest {digest} is not in repository {name}", digest.ToString());
        }
        return new StoredManifest(digest, info.Size, mediaType!);
    }

    /// <summary>
    /// Deletes a manifest by digest (its revision, every tag pointing at it, its referrer entries) or
    /// a tag alone; throws MANIFEST_UNKNOWN when neither exists.
    /// </summary>
    public async Task DeleteManifestAsync(string name, string reference, CancellationToken cancellationToken)
    {
        if (!Digest.TryParse(reference, out var digest))
        {
            await ResolveManifestAsync(name, reference, cancellationToken).ConfigureAwait(false);
            File.Delete(TagPath(name, reference));
            return;
        }
        var revision = RevisionPath(name, digest);
        if (!File.Exists(revision))
        {
            throw new RegistryException(RegistryError.ManifestUnknown, $"manifest {digest} is not in repository {name}", digest.ToString());
        }
        var tags = Path.Combine(RepositoryPath(name), "_manifests", "tags");
        if (Directory.Exists(tags))
        {
            foreach (var tag in Directory.EnumerateFiles(tags))
            {
                if (ReadLink(tag) == digest.ToString())
                {
                    File.Delete(tag);
                }
            }
        }
        var referrers = Path.Combine(RepositoryPath(name), "_referrers");
        if (Directory.Exists(referrers))
        {
            foreach (var entry in Directory.EnumerateFiles(referrers, digest.Algorithm + "-" + digest.Encoded, SearchOption.AllDirectories))
            {
                File.Delete(entry);
            }
        }
        File.Delete(revision);
    }

    /// <summary>Every tag of a repository, sorted; NAME_UNKNOWN for a repository that does not exist.</summary>
    public List<string> ListTags(string name)
    {
        if (!RepositoryExists(name))
        {
            throw new RegistryException(RegistryError.NameUnknown, $"repository {name} is not known to this registry", name);
        }
        var tags = Path.Combine(RepositoryPath(name), "_manifests", "tags");
        var result = Directory.Exists(tags)
            ? Directory.EnumerateFiles(tags).Select(Path.GetFileName).Where(t => t is not null && IsValidTag(t)).Select(t => t!).ToList()
            : [];
        result.Sort(StringComparer.Ordinal);
        return result;
    }

    /// <summary>The descriptors of the manifests whose subject is <paramref name="subject"/> (spec.md#listing-referrers).</summary>
    public List<Descriptor> ListReferrers(string name, Digest subject, string? artifactType)
    {
        var result = new List<Descriptor>();
        if (!RepositoryExists(name))
        {
            return result;
        }
        var dir = ReferrersPath(name, subject);
        if (!Directory.Exists(dir))
        {
            return result;
        }
        foreach (var file in Directory.EnumerateFiles(dir))
        {
            if (Path.GetFileName(file).Contains(".tmp-", StringComparison.Ordinal))
            {
                continue;
            }
            var descriptor = JsonSerializer.Deserialize(File.ReadAllText(file), OciJsonContext.Default.Descriptor);
            if (descriptor is not null && (artifactType is null || descriptor.ArtifactType == artifactType))
            {
                result.Add(descriptor);
            }
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Digest.ToString(), b.Digest.ToString()));
        return result;
    }

    /// <summary>Every manifest revision of every repository (garbage collection's roots).</summary>
    public IEnumerable<(string Repository, Digest Digest)> EnumerateRevisions()
    {
        foreach (var repo in ListRepositories())
        {
            var revisions = Path.Combine(RepositoryPath(repo), "_manifests", "revisions");
            if (!Directory.Exists(revisions))
            {
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(revisions, "*", SearchOption.AllDirectories))
            {
                var algorithm = Path.GetFileName(Path.GetDirectoryName(file)!);
                if (Digest.TryParse(algorithm + ":" + Path.GetFileName(file), out var d))
                {
                    yield return (repo, d);
                }
            }
        }
    }

    private static byte[] Hash(string algorithm, byte[] data)
    {
        using var hasher = Digest.CreateHasher(algorithm);
        hasher.AppendData(data);
        return hasher.GetHashAndReset();
    }

    /// <summary>What a manifest or index refers to, read from its JSON.</summary>
    internal sealed record ParsedManifest(string MediaType, List<Digest> Blobs, List<Digest> Manifests, Digest? Subject, string? ArtifactType, Dictionary<string, string>? Annotations);

    /// <summary>
    /// Reads a manifest or index, taking its media type from the body's mediaType field or else the
    /// Content-Type; refuses what is neither (MANIFEST_INVALID).
    /// </summary>
    internal static ParsedManifest ParseManifest(byte[] body, string? contentType)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new RegistryException(RegistryError.ManifestInvalid, "manifest is not a JSON object");
            }
            var mediaType = root.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String ? mt.GetString()! : contentType?.Split(';')[0].Trim();
            if (contentType is not null && root.TryGetProperty("mediaType", out _) && !string.Equals(contentType.Split(';')[0].Trim(), mediaType, StringComparison.Ordinal) && contentType != "application/json")
            {
                throw new RegistryException(RegistryError.ManifestInvalid, $"Content-Type {contentType} does not match the manifest's mediaType {mediaType}");
            }
            if (mediaType is null)
            {
                mediaType = root.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex : MediaTypes.OciManifest;
            }
            if (MediaTypes.IsIndex(mediaType))
            {
                var index = JsonSerializer.Deserialize(body, OciJsonContext.Default.ImageIndex)!;
                return new ParsedManifest(mediaType, [], [.. index.Manifests.Select(m => m.Digest)], index.Subject?.Digest, index.ArtifactType, index.Annotations);
            }
            if (MediaTypes.IsManifest(mediaType))
            {
                var manifest = JsonSerializer.Deserialize(body, OciJsonContext.Default.Manifest)!;
                if (manifest.Config.Digest.IsEmpty)
                {
                    throw new RegistryException(RegistryError.ManifestInvalid, "manifest has no config descriptor");
                }
                var blobs = new List<Digest> { manifest.Config.Digest };
                // Foreign layers (with urls) live elsewhere: the registry does not hold them (image-spec descriptor.md#urls).
                blobs.AddRange(manifest.Layers.Where(l => l.Urls is not { Count: > 0 }).Select(l => l.Digest));
                return new ParsedManifest(mediaType, blobs, [], manifest.Subject?.Digest, manifest.ArtifactType ?? manifest.Config.MediaType, manifest.Annotations);
            }
            throw new RegistryException(RegistryError.ManifestInvalid, $"unsupported manifest media type \"{mediaType}\"");
        }
        catch (JsonException e)
        {
            throw new RegistryException(RegistryError.ManifestInvalid, "manifest is not valid JSON: " + e.Message);
        }
    }
}
