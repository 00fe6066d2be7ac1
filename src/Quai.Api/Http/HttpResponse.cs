using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Quai.Api.Http;

/// <summary>
/// The response: status and headers go out with the first body write or flush (or
/// <see cref="StartAsync"/>); without a Content-Length the body is chunked, so streams reach the
/// client on each <c>FlushAsync</c>.
/// </summary>
public sealed partial class HttpResponse
{
    private int _statusCode = 200;
    private long? _contentLength;

    internal HttpResponse(HttpContext context, Stream transport)
    {
        _context = context;
        _transport = transport;
        Body = new ResponseBodyStream(this);
    }

    /// <summary>The status code (200 by default); fixed once the response has started.</summary>
    public int StatusCode
    {
        get => _statusCode;
        set
        {
            ThrowIfStarted();
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 100);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 999);
            _statusCode = value;
        }
    }

    /// <summary>The header fields to send; Server and Date are added, framing headers are the server's.</summary>
    public HttpHeaders Headers { get; } = new();

    /// <summary>The body length, when known before the first write (sent as Content-Length; otherwise chunked).</summary>
    public long? ContentLength
    {
        get => _contentLength;
        set
        {
            ThrowIfStarted();
            if (value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), "Content-Length cannot be negative");
            }
            _contentLength = value;
        }
    }

    /// <summary>The body: each write goes to the client at once (no buffering besides the socket's).</summary>
    public Stream Body { get; }

    /// <summary>Whether the status line and headers were sent.</summary>
    public bool HasStarted { get; private set; }

    /// <summary>Sends the status line and headers now (e.g. docker's wait: headers at once, body when the container exits).</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => StartCoreAsync(default, cancellationToken).AsTask();

    /// <summary>Writes a JSON body (with docker's trailing newline) with Content-Length and Content-Type: application/json.</summary>
    public async Task WriteJsonAsync<T>(T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }
        buffer.Write("\n"u8);
        if (!HasStarted)
        {
            Headers["Content-Type"] ??= "application/json";
            ContentLength ??= buffer.WrittenCount;
        }
        await WriteCoreAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a text body with Content-Length (docker's /_ping answers "OK" as text/plain).</summary>
    public async Task WriteTextAsync(string text, string contentType = "text/plain; charset=utf-8", CancellationToken cancellationToken = default)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (!HasStarted)
        {
            Headers["Content-Type"] ??= contentType;
            ContentLength ??= bytes.Length;
        }
        await WriteCoreAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends an error: the status and <c>{"message": ...}</c> (no body for 304). The response must not have started.</summary>
    public Task WriteErrorAsync(int statusCode, string message, CancellationToken cancellationToken = default)
    {
        ThrowIfStarted();
        StatusCode = statusCode;
        if (statusCode == 304)
        {
            return StartAsync(cancellationToken);
        }
        Headers["Content-Type"] = "application/json";
        Headers.Remove("Content-Length");
        _contentLength = null;
        return WriteJsonAsync(new ErrorMessage(message), HttpJsonContext.Default.ErrorMessage, cancellationToken);
    }

    /// <summary>Sends an error of a kind (mapped to its status by <see cref="ErrorStatus"/>) with <c>{"message": ...}</c>.</summary>
    public Task WriteErrorAsync(ErrorKind kind, string message, CancellationToken cancellationToken = default) =>
        WriteErrorAsync(ErrorStatus.ToStatusCode(kind), message, cancellationToken);

    private void ThrowIfStarted()
    {
        if (HasStarted)
        {
            throw new InvalidOperationException("the response has already started: status and headers were sent");
        }
    }
}
