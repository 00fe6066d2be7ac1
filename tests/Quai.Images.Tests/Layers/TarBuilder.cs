using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Quai.Oci.Image;

namespace Quai.Images.Tests.Layers;

/// <summary>Crafts layer tars in memory for tests, including hostile ones.</summary>
internal sealed class TarBuilder
{
    private static readonly DateTimeOffset Epoch = new(2020, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private readonly MemoryStream _stream = new();
    private readonly TarWriter _writer;

    public TarBuilder()
    {
        _writer = new TarWriter(_stream, TarEntryFormat.Pax, leaveOpen: true);
    }

    public TarBuilder Dir(string name, int mode = 0x1ED, int uid = 0, int gid = 0, DateTimeOffset? mtime = null) =>
        Add(new PaxTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)mode, Uid = uid, Gid = gid, ModificationTime = mtime ?? Epoch });

    public TarBuilder File(string name, string content, int mode = 0x1A4, int uid = 0, int gid = 0, DateTimeOffset? mtime = null, Dictionary<string, string>? pax = null)
    {
        var e = pax is null ? new PaxTarEntry(TarEntryType.RegularFile, name) : new PaxTarEntry(TarEntryType.RegularFile, name, pax);
        e.Mode = (UnixFileMode)mode;
        e.Uid = uid;
        e.Gid = gid;
        e.ModificationTime = mtime ?? Epoch;
        e.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        return Add(e);
    }

    public TarBuilder Symlink(string name, string target) =>
        Add(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target, ModificationTime = Epoch, Mode = (UnixFileMode)0x1FF });

    public TarBuilder Hardlink(string name, string target) =>
        Add(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target, ModificationTime = Epoch, Mode = (UnixFileMode)0x1A4 });

    public TarBuilder Device(string name, TarEntryType type, int major, int minor) =>
        Add(new PaxTarEntry(type, name) { DeviceMajor = major, DeviceMinor = minor, Mode = (UnixFileMode)0x1B6, ModificationTime = Epoch });

    public TarBuilder Fifo(string name) =>
        Add(new PaxTarEntry(TarEntryType.Fifo, name) { Mode = (UnixFileMode)0x1A4, ModificationTime = Epoch });

    public TarBuilder Add(TarEntry entry)
    {
        _writer.WriteEntry(entry);
        return this;
    }

    /// <summary>The uncompressed tar.</summary>
    public byte[] Build()
    {
        _writer.Dispose();
        return _stream.ToArray();
    }

    public static byte[] Compress(byte[] tar, LayerCompression compression)
    {
        var output = new MemoryStream();
        switch (compression)
        {
            case LayerCompression.Gzip:
                using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
                {
                    gz.Write(tar);
                }
                break;
            case LayerCompression.Zstd:
                using (var z = new ZstdSharp.CompressionStream(output, 3, leaveOpen: true))
                {
                    z.Write(tar);
                }
                break;
            default:
                output.Write(tar);
                break;
        }
        return output.ToArray();
    }
}
