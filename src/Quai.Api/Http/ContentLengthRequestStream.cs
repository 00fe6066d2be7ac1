namespace Quai.Api.Http;

/// <summary>A body of known length (Content-Length, RFC 9112 §6.2).</summary>
internal sealed class ContentLengthRequestStream : RequestBodyStream
{
    private long _remaining;

    public ContentLengthRequestStream(ConnectionInput input, HttpContext context, long length)
        : base(input, context)
    {
        _remaining = length;
    }

    protected override bool RemainingIsZero => _remaining == 0;

    protected override async ValueTask<int> ReadCoreAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_remaining == 0)
        {
            return 0;
        }
        var max = (int)Math.Min(buffer.Length, _remaining);
        var n = await Input.ReadAsync(buffer[..max], cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            throw new IOException($"the client closed the connection {_remaining} bytes before the end of the request body (Content-Length)");
        }
        _remaining -= n;
        return n;
    }
}
