using System.Formats.Tar;

namespace Quai.Images.Formats;

/// <summary>Writes layout files as a tar stream (docker save, oci-archive), directories first as docker does.</summary>
internal sealed class TarLayoutSink : ILayoutSink
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;
    private readonly TarWriter _writer;
    private readonly HashSet<string> _added = new(StringComparer.Ordinal);

    public TarLayoutSink(Stream output)
    {
        _writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
    }

    public bool Contains(string path) => _added.Contains(path);

    public async Task AddAsync(string path, Stream data, CancellationToken cancellationToken)
    {
        var parts = path.Split('/');
        for (var i = 1; i < parts.Length; i++)
        {
            var dir = string.Join('/', parts[..i]) + "/";
            if (_added.Add(dir))
            {
                await _writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, dir) { Mode = (UnixFileMode)0x1ED, ModificationTime = Epoch }, cancellationToken).ConfigureAwait(false);
            }
        }
        _added.Add(path);
        // TarWriter needs the length up front; content-store blobs are seekable files.
        var entry = new PaxTarEntry(TarEntryType.RegularFile, path) { Mode = (UnixFileMode)0x1A4, ModificationTime = Epoch, DataStream = data };
        await _writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
