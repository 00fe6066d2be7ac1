using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Shim.Server;

/// <summary>
/// docker's json-file log driver: one entry per line of output, lines longer than 16 KiB split
/// (the last piece carries the "\n"), a trailing partial line written at the end without "\n", and
/// rotation FILE → FILE.1 → … FILE.(max-file − 1) when the file would pass max-size (max-file 1:
/// the file is truncated). Follows moby daemon/logger/copier.go (16K lines) and
/// daemon/logger/loggerutils/logfile.go (rotation).
/// </summary>
internal sealed class JsonFileLogger : IDisposable
{
    /// <summary>docker's maximum entry: daemon/logger/copier.go bufSize/maxLogLineSize (16 KiB).</summary>
    public const int MaxLine = 16 * 1024;

    private readonly string _path;
    private readonly long _maxSize;
    private readonly int _maxFile;
    private readonly byte[][] _partial = [[], []];
    private readonly int[] _partialLength = new int[2];
    private byte[] _entry = [];
    private FileDescriptorHandle _fd;
    private long _size;

    public JsonFileLogger(string path, long maxSize, int maxFile)
    {
        _path = path;
        _maxSize = maxSize;
        _maxFile = Math.Max(1, maxFile);
        var dir = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }
        _fd = OpenLog(truncate: false);
        _size = new FileInfo(path).Length;
    }

    /// <summary>Logs output of stdout (<paramref name="stderr"/> false) or stderr.</summary>
    public void Write(bool stderr, ReadOnlySpan<byte> data)
    {
        var s = stderr ? 1 : 0;
        while (!data.IsEmpty)
        {
            if (_partial[s].Length == 0)
            {
                _partial[s] = new byte[MaxLine];
            }
            var p = _partialLength[s];
            var room = MaxLine - p;
            var nl = data.IndexOf((byte)'\n');
            var take = nl >= 0 && nl < room ? nl + 1 : Math.Min(room, data.Length);
            data[..take].CopyTo(_partial[s].AsSpan(p));
            _partialLength[s] = p + take;
            data = data[take..];
            if ((nl >= 0 && nl < room) || _partialLength[s] == MaxLine)
            {
                Emit(stderr, _partial[s].AsSpan(0, _partialLength[s]));
                _partialLength[s] = 0;
            }
        }
    }

    /// <summary>Writes each stream's unterminated last line (at end of output) and frees the line buffers.</summary>
    public void Flush()
    {
        for (var s = 0; s < 2; s++)
        {
            if (_partialLength[s] > 0)
            {
                Emit(s == 1, _partial[s].AsSpan(0, _partialLength[s]));
                _partialLength[s] = 0;
            }
            _partial[s] = [];
        }
        _entry = [];
    }

    private void Emit(bool stderr, ReadOnlySpan<byte> line)
    {
        var need = JsonLogEncoder.MaxLength(line.Length);
        if (_entry.Length < need)
        {
            _entry = new byte[JsonLogEncoder.MaxLength(MaxLine)];
        }
        Span<byte> time = stackalloc byte[32];
        var timeLength = Rfc3339.FormatNow(time);
        var n = JsonLogEncoder.Encode(line, stderr, time[..timeLength], _entry);
        if (_maxSize > 0 && _size > 0 && _size + n > _maxSize)
        {
            Rotate();
        }
        FdIo.WriteAll(_fd.Fd, _entry.AsSpan(0, n), _path);
        _size += n;
    }

    private void Rotate()
    {
        _fd.Dispose();
        for (var i = _maxFile - 1; i >= 1; i--)
        {
            var from = i == 1 ? _path : $"{_path}.{i - 1}";
            if (File.Exists(from))
            {
                File.Move(from, $"{_path}.{i}", overwrite: true);
            }
        }
        _fd = OpenLog(truncate: true);
        _size = 0;
    }

    private FileDescriptorHandle OpenLog(bool truncate) =>
        FdIo.Open(_path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND | (truncate ? Libc.O_TRUNC : 0), 0x1A0); // 0640, as docker

    public void Dispose() => _fd.Dispose();
}
