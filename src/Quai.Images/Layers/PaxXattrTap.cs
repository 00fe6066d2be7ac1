using System.Text;

namespace Quai.Images.Layers;

/// <summary>
/// Watches the raw tar stream as it goes past and keeps the exact bytes of PAX
/// <c>SCHILY.xattr.*</c> records (POSIX pax(1) "pax Extended Header"; GNU tar and Go's
/// archive/tar write xattrs this way). System.Formats.Tar decodes PAX values as UTF-8 text,
/// which corrupts binary values such as security.capability, so the applier takes them from here.
/// Entries are numbered as TarReader returns them (global 'g' headers count, 'x', 'L', 'K' do not).
/// </summary>
internal sealed class PaxXattrTap
{
    private const int Block = 512;
    private const int MaxPaxSize = 1 << 20;
    private const string XattrPrefix = "SCHILY.xattr.";

    private readonly byte[] _header = new byte[Block];
    private readonly Dictionary<int, List<KeyValuePair<string, byte[]>>> _byEntry = [];
    private int _headerFill;
    private long _skip;
    private MemoryStream? _pax;
    private long _paxRemaining;
    private long _paxPadding;
    private List<KeyValuePair<string, byte[]>>? _pending;
    private long? _pendingSize;
    private int _entry;

    /// <summary>Set when a PAX header was too large to keep; the applier refuses the layer.</summary>
    public string? Error { get; private set; }

    /// <summary>The raw xattrs of the entry with ordinal <paramref name="entry"/>, removed from the tap.</summary>
    public List<KeyValuePair<string, byte[]>>? Take(int entry) =>
        _byEntry.Remove(entry, out var list) ? list : null;

    public void Observe(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_pax is not null)
            {
                var n = (int)Math.Min(_paxRemaining, data.Length);
                _pax.Write(data[..n]);
                data = data[n..];
                _paxRemaining -= n;
                if (_paxRemaining == 0)
                {
                    ParsePax(_pax.ToArray());
                    _pax = null;
                    _skip = _paxPadding;
                }
                continue;
            }
            if (_skip > 0)
            {
                var n = (int)Math.Min(_skip, data.Length);
                data = data[n..];
                _skip -= n;
                continue;
            }
            var take = Math.Min(Block - _headerFill, data.Length);
            data[..take].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += take;
            data = data[take..];
            if (_headerFill == Block)
            {
                _headerFill = 0;
                OnHeader();
            }
        }
    }

    private void OnHeader()
    {
        if (_header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
        {
            return; // end-of-archive block
        }
        var type = (char)_header[156];
        var size = ParseNumber(_header.AsSpan(124, 12));
        var padding = (Block - (size % Block)) % Block;
        switch (type)
        {
            case 'x':
                if (size > MaxPaxSize)
                {
                    Error = $"a PAX extended header of {size} bytes (more than {MaxPaxSize})";
                    _skip = size + padding;
                    return;
                }
                _pax = new MemoryStream((int)size);
                _paxRemaining = size;
                _paxPadding = padding;
                if (size == 0)
                {
                    _pax = null;
                    _skip = padding;
                }
                return;
            case 'L' or 'K':
                _skip = size + padding;
                return;
            default:
                var dataSize = _pendingSize ?? size;
                // Header-only types carry no data whatever their size field says (as Go's archive/tar reads them).
                if (type is '1' or '2' or '3' or '4' or '5' or '6')
                {
                    dataSize = 0;
                }
                if (_pending is { Count: > 0 })
                {
                    _byEntry[_entry] = _pending;
                }
                _pending = null;
                _pendingSize = null;
                _entry++;
                _skip = dataSize + ((Block - (dataSize % Block)) % Block);
                return;
        }
    }

    private void ParsePax(byte[] data)
    {
        var span = data.AsSpan();
        while (!span.IsEmpty)
        {
            var space = span.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(span[..space], out var length) || length <= space || length > span.Length)
            {
                return; // malformed: TarReader reports it
            }
            var record = span[(space + 1)..(length - 1)];
            span = span[length..];
            var eq = record.IndexOf((byte)'=');
            if (eq <= 0)
            {
                continue;
            }
            var key = Encoding.UTF8.GetString(record[..eq]);
            var value = record[(eq + 1)..];
            if (key.StartsWith(XattrPrefix, StringComparison.Ordinal))
            {
                (_pending ??= []).Add(new(key[XattrPrefix.Length..], value.ToArray()));
            }
            else if (key == "size" && long.TryParse(value, out var s))
            {
                _pendingSize = s;
            }
        }
    }

    /// <summary>A tar numeric field: octal text, or base-256 when the high bit is set (GNU extension).</summary>
    private static long ParseNumber(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            long v = field[0] & 0x7F;
            foreach (var b in field[1..])
            {
                v = checked((v << 8) | b);
            }
            return v;
        }
        long n = 0;
        var digits = false;
        foreach (var b in field)
        {
            if (b is >= (byte)'0' and <= (byte)'7')
            {
                n = checked((n << 3) + (b - '0'));
                digits = true;
            }
            else if (digits || b is not ((byte)' ' or 0))
            {
                break; // the field ends at the first space or NUL after the digits
            }
        }
        return n;
    }
}
