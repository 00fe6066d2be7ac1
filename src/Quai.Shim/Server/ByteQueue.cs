namespace Quai.Shim.Server;

/// <summary>
/// A FIFO of bytes in one growable array (consumed from the front, appended at the back), for the
/// shim's per-client output and the container's pending stdin. Starts empty: an idle client costs
/// no buffer.
/// </summary>
internal sealed class ByteQueue
{
    private byte[] _buffer = [];
    private int _start;
    private int _end;

    /// <summary>Bytes waiting.</summary>
    public int Count => _end - _start;

    /// <summary>The waiting bytes, oldest first.</summary>
    public ReadOnlySpan<byte> Pending => _buffer.AsSpan(_start, _end - _start);

    /// <summary>Appends <paramref name="data"/>.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        if (_end + data.Length > _buffer.Length)
        {
            var count = Count;
            if (count + data.Length <= _buffer.Length)
            {
                _buffer.AsSpan(_start, count).CopyTo(_buffer);
            }
            else
            {
                var bigger = new byte[Math.Max(4096, (int)Math.Min(int.MaxValue, Math.Max((long)_buffer.Length * 2, count + data.Length)))];
                _buffer.AsSpan(_start, count).CopyTo(bigger);
                _buffer = bigger;
            }
            _start = 0;
            _end = count;
        }
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>Drops the first <paramref name="n"/> bytes; frees the array once empty.</summary>
    public void Consume(int n)
    {
        _start += n;
        if (_start >= _end)
        {
            Clear();
        }
    }

    /// <summary>Drops everything and the array.</summary>
    public void Clear()
    {
        _buffer = [];
        _start = 0;
        _end = 0;
    }
}
