using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Quai.Engine.Containers;

/// <summary>
/// The tar of PUT /containers/{id}/archive with absolute entry names made relative. Clients may
/// name entries absolutely (Testcontainers' resource mappings send "/www/index.html" to path=/);
/// moby's pkg/archive Unpack joins every name to the destination, so "/x" lands at DEST/x. The
/// layer applier refuses absolute names (image-spec layers only hold relative ones), so they are
/// rewritten here, header by header, while file data streams through untouched; ".." components
/// stay refused by the applier. Handles ustar name/prefix fields, GNU 'L' long names and PAX 'x'
/// path records (POSIX pax, IEEE Std 1003.1 "pax Interchange Format"); link targets are left
/// alone (a symlink's absolute target is resolved inside the container, as docker does).
/// </summary>
internal sealed class RelativeTarStream(Stream inner) : Stream
{
    private const int Block = 512;

    // Extended headers (PAX records, GNU long names) are read whole to be rewritten: refuse
    // absurd sizes rather than buffer them.
    private const int MaxMetadata = 1 << 20;

    private readonly byte[] _header = new byte[Block];
    private byte[] _pending = [];
    private int _pendingOffset;
    private long _dataLeft;
    private bool _passThrough;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            // TarReader's SubReadStream asks for 0 bytes at the end of an entry's data.
            return 0;
        }
        while (true)
        {
            if (_pendingOffset < _pending.Length)
            {
                var n = Math.Min(buffer.Length, _pending.Length - _pendingOffset);
                _pending.AsMemory(_pendingOffset, n).CopyTo(buffer);
                _pendingOffset += n;
                return n;
            }
            if (_passThrough || _dataLeft > 0)
            {
                var want = _passThrough ? buffer.Length : (int)Math.Min(buffer.Length, _dataLeft);
                var n = await inner.ReadAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
                if (n == 0 && !_passThrough)
                {
                    throw new InvalidDataException("the archive ends inside an entry's data: it is truncated");
                }
                _dataLeft -= n;
                return n;
            }
            if (!await ReadBlockAsync(_header, cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }
            await RewriteHeaderAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Reads one whole block; false at a clean end of stream.
    private async Task<bool> ReadBlockAsync(byte[] block, CancellationToken ct)
    {
        var read = await inner.ReadAtLeastAsync(block, Block, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        if (read == 0)
        {
            return false;
        }
        if (read < Block)
        {
            throw new InvalidDataException("the archive ends inside a header block: it is truncated");
        }
        return true;
    }

    private async Task RewriteHeaderAsync(CancellationToken ct)
    {
        if (_header.All(b => b == 0))
        {
            // The end-of-archive blocks: whatever follows is not ours to interpret.
            _pending = (byte[])_header.Clone();
            _pendingOffset = 0;
            _passThrough = true;
            return;
        }
        var type = (char)_header[156];
        var size = ParseSize(_header.AsSpan(124, 12));
        if (type is 'x' or 'L')
        {
            if (size > MaxMetadata)
            {
                throw new InvalidDataException($"a tar extended header of {size} bytes is larger than the {MaxMetadata} accepted");
            }
            var padded = (int)((size + Block - 1) / Block * Block);
            var data = new byte[padded];
            await inner.ReadExactlyAsync(data, ct).ConfigureAwait(false);
            var rewritten = type == 'x' ? RewritePax(data.AsSpan(0, (int)size)) : RewriteLongName(data.AsSpan(0, (int)size));
            WriteSize(_header, rewritten.Length);
            var output = new byte[Block + ((rewritten.Length + Block - 1) / Block * Block)];
            _header.CopyTo(output, 0);
            rewritten.CopyTo(output, Block);
            SetChecksum(output.AsSpan(0, Block));
            _pending = output;
            _pendingOffset = 0;
            return;
        }
        StripName(_header);
        SetChecksum(_header);
        _pending = (byte[])_header.Clone();
        _pendingOffset = 0;
        _dataLeft = type is '1' or '2' or '3' or '4' or '5' or '6' ? 0 : (size + Block - 1) / Block * Block;
    }

    // ustar: the path is prefix + "/" + name when the magic says so, else just name (V7).
    private static void StripName(byte[] header)
    {
        var ustar = header.AsSpan(257, 5).SequenceEqual("ustar"u8);
        var isPrefix = ustar && header[345] != 0;
        var field = isPrefix ? header.AsSpan(345, 155) : header.AsSpan(0, 100);
        var slashes = 0;
        while (slashes < field.Length && field[slashes] == (byte)'/')
        {
            slashes++;
        }
        if (slashes == 0)
        {
            return;
        }
        var rest = field[slashes..].ToArray();
        field.Clear();
        rest.CopyTo(field);
        if (field[0] == 0 && !isPrefix)
        {
            // The entry was "/" itself: the destination directory.
            field[0] = (byte)'.';
            field[1] = (byte)'/';
        }
    }

    private static byte[] RewriteLongName(ReadOnlySpan<byte> data)
    {
        var name = Encoding.UTF8.GetString(data).TrimEnd('\0');
        return Encoding.UTF8.GetBytes(Relative(name) + "\0");
    }

    // PAX records are "LENGTH key=value\n", LENGTH counting the whole record in decimal.
    private static byte[] RewritePax(ReadOnlySpan<byte> data)
    {
        var output = new MemoryStream();
        while (data.Length > 0)
        {
            var space = data.IndexOf((byte)' ');
            if (space <= 0 || !Utf8Parser.TryParse(data[..space], out int length, out _) || length <= space || length > data.Length)
            {
                throw new InvalidDataException("a tar PAX extended header holds a malformed record");
            }
            var record = data[..length];
            var body = record[(space + 1)..^1];
            if (body.StartsWith("path="u8))
            {
                var value = Encoding.UTF8.GetString(body[5..]);
                output.Write(PaxRecord("path", Relative(value)));
            }
            else
            {
                output.Write(record);
            }
            data = data[length..];
        }
        return output.ToArray();
    }

    private static byte[] PaxRecord(string key, string value)
    {
        var text = " " + key + "=" + value + "\n";
        var bytes = Encoding.UTF8.GetByteCount(text);
        // The length counts its own digits: grow until it is stable.
        var length = bytes + 1;
        while (length != bytes + length.ToString(CultureInfo.InvariantCulture).Length)
        {
            length = bytes + length.ToString(CultureInfo.InvariantCulture).Length;
        }
        return Encoding.UTF8.GetBytes(length.ToString(CultureInfo.InvariantCulture) + text);
    }

    private static string Relative(string name)
    {
        var trimmed = name.TrimStart('/');
        return name.Length > 0 && trimmed.Length == 0 ? "./" : trimmed;
    }

    // Octal, or base-256 with the high bit set for big sizes (GNU and star extension).
    private static long ParseSize(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            long big = field[0] & 0x7f;
            foreach (var b in field[1..])
            {
                big = (big << 8) | b;
            }
            return big;
        }
        long value = 0;
        foreach (var b in field)
        {
            if (b is >= (byte)'0' and <= (byte)'7')
            {
                value = (value * 8) + (b - '0');
            }
            else if (b is 0 or (byte)' ' && value > 0)
            {
                break;
            }
        }
        return value;
    }

    private static void WriteSize(byte[] header, long size)
    {
        var text = Convert.ToString(size, 8).PadLeft(11, '0');
        Encoding.ASCII.GetBytes(text, header.AsSpan(124, 11));
        header[135] = 0;
    }

    // The checksum is the sum of the header's bytes with its own field read as spaces.
    private static void SetChecksum(Span<byte> header)
    {
        header.Slice(148, 8).Fill((byte)' ');
        var sum = 0;
        foreach (var b in header)
        {
            sum += b;
        }
        var text = Convert.ToString(sum, 8).PadLeft(6, '0');
        Encoding.ASCII.GetBytes(text, header.Slice(148, 6));
        header[154] = 0;
        header[155] = (byte)' ';
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
