using System.Formats.Tar;
using Quai.Linux.Interop;
using Quai.Oci.Image;

namespace Quai.Images.Layers;

/// <summary>
/// Unpacks an image layer (image-spec layer.md) into a directory, streaming: the blob is
/// decompressed, hashed (the diff ID) and extracted in one pass, never held in memory.
/// Every path is resolved inside the target by the kernel (see <see cref="RootedDirectory"/>),
/// so a hostile tar cannot write outside it.
/// </summary>
public sealed partial class LayerApplier : IDisposable
{
    private readonly RootedDirectory _root;
    private readonly LayerApplyOptions _options;
    private readonly bool _chown;
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);
    private readonly List<(string Path, DateTimeOffset Mtime)> _directoryTimes = [];

    private LayerApplier(RootedDirectory root, LayerApplyOptions options)
    {
        _root = root;
        _options = options;
        _chown = options.ApplyOwnership ?? Libc.GetEuid() == 0;
    }

    /// <summary>
    /// Applies the layer in <paramref name="compressedLayer"/> (compressed as
    /// <paramref name="compression"/>, checked against its magic bytes) to
    /// <paramref name="targetDir"/>, which is created if missing; returns the diff ID.
    /// </summary>
    public static async Task<LayerApplyResult> ApplyAsync(Stream compressedLayer, LayerCompression compression, string targetDir, LayerApplyOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LayerApplyOptions();
        Directory.CreateDirectory(targetDir);
        var tar = await LayerDecompressor.OpenAsync(compressedLayer, compression, cancellationToken).ConfigureAwait(false);
        var hashing = new HashingReadStream(tar, options.MaxUncompressedSize);
        await using (hashing.ConfigureAwait(false))
        {
            var tap = new PaxXattrTap();
            hashing.Observer = tap.Observe;
            using var applier = new LayerApplier(RootedDirectory.Open(targetDir), options);
            var reader = new TarReader(hashing, leaveOpen: true);
            var count = 0;
            await using (reader.ConfigureAwait(false))
            {
                while (await NextAsync(reader, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    var xattrs = tap.Take(count++);
                    if (tap.Error is { } error)
                    {
                        throw TarPath.Hostile(entry.Name, "entry", error);
                    }
                    await applier.ApplyEntryAsync(entry, xattrs, cancellationToken).ConfigureAwait(false);
                }
            }
            applier.FixDirectoryTimes();
            await hashing.DrainAsync(cancellationToken).ConfigureAwait(false);
            return new LayerApplyResult(hashing.Digest, hashing.BytesRead, count);
        }
    }

    private static async Task<TarEntry?> NextAsync(TarReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new ImageException(ImageErrorKind.InvalidArgument, $"layer is not a valid tar archive: {e.Message}", e);
        }
    }

    /// <summary>Directory mtimes are set last: creating their contents changed them (moby pkg/archive does the same).</summary>
    private void FixDirectoryTimes()
    {
        for (var i = _directoryTimes.Count - 1; i >= 0; i--)
        {
            var (path, mtime) = _directoryTimes[i];
            var (parent, name) = TarPath.Split(path);
            using var dir = _root.OpenDirectory(parent, create: false);
            if (dir is not null && RootedDirectory.TryStat(dir.Fd, name, out var st) && (st.Mode & Libc.S_IFMT) == Libc.S_IFDIR)
            {
                SetTimes(dir.Fd, name, mtime, mtime);
            }
        }
    }

    public void Dispose() => _root.Dispose();
}
