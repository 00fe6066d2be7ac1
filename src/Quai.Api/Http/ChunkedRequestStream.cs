using System.Globalization;
using System.Text;

namespace Quai.Api.Http;

/// <summary>A body in chunked transfer coding (RFC 9112 §7.1), decoded as it is read.</summary>
internal sealed class ChunkedRequestStream : RequestBodyStream
{
    private const int MaxChunkLine = 4096;

    private readonly int _maxTrailerBytes;
    private long _chunkRemaining;
    private bool _needChunkEnd;
    private bool _done;

    public ChunkedRequestStream(ConnectionInput input, HttpContext context, int maxTrailerBytes)
        : base(input, context)
    {
        _maxTrailerBytes = maxTrailerBytes;
    }

    protected override bool RemainingIsZero => _done;

    protected override async ValueTask<int> ReadCoreAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_done)
        {
            return 0;
        }
        if (_chunkRemaining == 0)
        {
            if (_needChunkEnd)
            {
                var end = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (end.Length != 0)
                {
                    throw new BadHttpRequestException(400, "malformed chunked request body: missing CRLF after chunk data");
                }
                _needChunkEnd = false;
            }
            _chunkRemaining = ParseChunkSize(await ReadLineAsync(cancellationToken).ConfigureAwait(false));
            if (_chunkRemaining == 0)
            {
                await SkipTrailersAsync(cancellationToken).ConfigureAwait(false);
                _done = true;
                return 0;
            }
            _needChunkEnd = true;
        }
        var max = (int)Math.Min(buffer.Length, _chunkRemaining);
        var n = await Input.ReadAsync(buffer[..max], cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            throw new IOException("the client closed the connection in the middle of a chunked request body");
        }
        _chunkRemaining -= n;
        return n;
    }

    private static long ParseChunkSize(string line)
    {
        // chunk = chunk-size [ chunk-ext ] CRLF; extensions are ignored (RFC 9112 §7.1.1).
        var semi = line.IndexOf(';', StringComparison.Ordinal);
        var hex = (semi < 0 ? line : line[..semi]).TrimEnd(' ', '\t');
        if (hex.Length is 0 or > 15 || !long.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size))
        {
            throw new BadHttpRequestException(400, "malformed chunked request body: invalid chunk size");
        }
        return size;
    }

    private async ValueTask SkipTrailersAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line.Length == 0)
            {
                return;
            }
            total += line.Length + 2;
            if (total > _maxTrailerBytes)
            {
                throw new BadHttpRequestException(431, "chunked request body trailers too large");
            }
        }
    }

    private async ValueTask<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var buffered = Input.Buffered;
            var lf = buffered.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = buffered[..lf];
                if (!line.IsEmpty && line[^1] == '\r')
                {
                    line = line[..^1];
                }
                var text = Encoding.Latin1.GetString(line);
                Input.Consume(lf + 1);
                return text;
            }
            if (buffered.Length >= MaxChunkLine)
            {
                throw new BadHttpRequestException(400, "malformed chunked request body: chunk line too long");
            }
            if (await Input.FillAsync(MaxChunkLine, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new IOException("the client closed the connection in the middle of a chunked request body");
            }
        }
    }
}
