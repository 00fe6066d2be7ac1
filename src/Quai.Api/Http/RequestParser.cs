using System.Text;

namespace Quai.Api.Http;

/// <summary>Reads a request line and header block (RFC 9112 §2-§5) from a connection, within the server's limits.</summary>
internal static class RequestParser
{
    /// <summary>
    /// Reads the next request head; null when the peer closed cleanly before sending a byte.
    /// <paramref name="idleToken"/> applies until the first byte, <paramref name="headersToken"/> after it.
    /// </summary>
    public static async ValueTask<HttpRequest?> ReadAsync(
        ConnectionInput input, HttpServerOptions options, Action onFirstByte, CancellationToken idleToken, CancellationToken headersToken)
    {
        var maxLine = Math.Max(options.MaxRequestLineBytes, options.MaxRequestHeadersBytes) + 2;
        var gotFirstByte = input.BufferedCount > 0;
        if (gotFirstByte)
        {
            onFirstByte();
        }
        HttpRequest? request = null;
        HttpHeaders? headers = null;
        var headerBytes = 0;
        var emptyLinesSkipped = 0;
        while (true)
        {
            var buffered = input.Buffered;
            var lf = buffered.IndexOf((byte)'\n');
            if (lf < 0)
            {
                var limit = request is null ? options.MaxRequestLineBytes : options.MaxRequestHeadersBytes - headerBytes;
                if (buffered.Length > limit)
                {
                    throw request is null
                        ? new BadHttpRequestException(414, $"request line too long: the limit is {options.MaxRequestLineBytes} bytes")
                        : new BadHttpRequestException(431, $"request headers too large: the limit is {options.MaxRequestHeadersBytes} bytes");
                }
                var n = await input.FillAsync(maxLine, gotFirstByte ? headersToken : idleToken).ConfigureAwait(false);
                if (n == 0)
                {
                    if (!gotFirstByte || (request is null && input.BufferedCount == 0))
                    {
                        return null;
                    }
                    throw new BadHttpRequestException(400, "connection closed in the middle of a request head");
                }
                if (!gotFirstByte)
                {
                    gotFirstByte = true;
                    onFirstByte();
                }
                continue;
            }
            var line = buffered[..lf];
            var lineBytes = lf + 1;
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }
            if (line.Contains((byte)'\r'))
            {
                throw new BadHttpRequestException(400, "bare CR in the request head");
            }
            if (request is null)
            {
                if (line.IsEmpty && emptyLinesSkipped < 8)
                {
                    // RFC 9112 §2.2: ignore empty lines before the request line (after a body's extra CRLF).
                    emptyLinesSkipped++;
                    input.Consume(lineBytes);
                    continue;
                }
                if (lineBytes > options.MaxRequestLineBytes + 2)
                {
                    throw new BadHttpRequestException(414, $"request line too long: the limit is {options.MaxRequestLineBytes} bytes");
                }
                headers = new HttpHeaders();
                request = ParseRequestLine(line, headers);
                input.Consume(lineBytes);
                continue;
            }
            headerBytes += lineBytes;
            if (headerBytes > options.MaxRequestHeadersBytes)
            {
                throw new BadHttpRequestException(431, $"request headers too large: the limit is {options.MaxRequestHeadersBytes} bytes");
            }
            if (line.IsEmpty)
            {
                input.Consume(lineBytes);
                return request;
            }
            if (headers!.Count >= options.MaxRequestHeaderCount)
            {
                throw new BadHttpRequestException(431, $"too many request headers: the limit is {options.MaxRequestHeaderCount}");
            }
            ParseHeaderLine(line, headers);
            input.Consume(lineBytes);
        }
    }

    private static HttpRequest ParseRequestLine(ReadOnlySpan<byte> line, HttpHeaders headers)
    {
        // request-line = method SP request-target SP HTTP-version (RFC 9112 §3), split like Go's parseRequestLine.
        var sp1 = line.IndexOf((byte)' ');
        var rest = sp1 < 0 ? [] : line[(sp1 + 1)..];
        var sp2 = rest.IndexOf((byte)' ');
        if (sp1 <= 0 || sp2 <= 0)
        {
            throw new BadHttpRequestException(400, "malformed request line: expected METHOD TARGET HTTP/1.1");
        }
        var method = line[..sp1];
        var target = rest[..sp2];
        var version = rest[(sp2 + 1)..];
        if (!IsToken(method))
        {
            throw new BadHttpRequestException(400, "malformed request line: invalid method");
        }
        Version protocol;
        if (version.SequenceEqual("HTTP/1.1"u8))
        {
            protocol = System.Net.HttpVersion.Version11;
        }
        else if (version.SequenceEqual("HTTP/1.0"u8))
        {
            protocol = System.Net.HttpVersion.Version10;
        }
        else if (version.StartsWith("HTTP/"u8) && version.Length == 8 && char.IsAsciiDigit((char)version[5]) && version[6] == '.' && char.IsAsciiDigit((char)version[7]))
        {
            throw new BadHttpRequestException(505, "HTTP version not supported: use HTTP/1.1 or HTTP/1.0");
        }
        else
        {
            throw new BadHttpRequestException(400, "malformed request line: invalid HTTP version");
        }
        foreach (var b in target)
        {
            // RFC 3986 characters only; clients percent-encode the rest. Controls and spaces never pass.
            if (b <= 0x20 || b >= 0x7f)
            {
                throw new BadHttpRequestException(400, "malformed request target: unencoded control, space or non-ASCII byte");
            }
        }
        var rawTarget = Encoding.ASCII.GetString(target);
        var (rawPath, query) = SplitTarget(rawTarget);
        if (!PercentEncoding.TryDecode(rawPath, plusIsSpace: false, out var path))
        {
            throw new BadHttpRequestException(400, $"malformed request target \"{rawTarget}\": invalid percent-encoding");
        }
        return new HttpRequest(Encoding.ASCII.GetString(method), rawTarget, rawPath, path, query, protocol, headers);
    }

    private static (string RawPath, string Query) SplitTarget(string target)
    {
        var pathAndQuery = target;
        if (target == "*")
        {
            return ("*", "");
        }
        if (!target.StartsWith('/'))
        {
            // absolute-form (RFC 9112 §3.2.2): a server must accept it; keep only path and query.
            var scheme = target.IndexOf("://", StringComparison.Ordinal);
            if (scheme <= 0)
            {
                throw new BadHttpRequestException(400, $"malformed request target \"{target}\": expected a path starting with '/'");
            }
            var slash = target.IndexOfAny(['/', '?'], scheme + 3);
            pathAndQuery = slash < 0 ? "/" : target[slash..];
            if (pathAndQuery.StartsWith('?'))
            {
                pathAndQuery = "/" + pathAndQuery;
            }
        }
        var hash = pathAndQuery.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            pathAndQuery = pathAndQuery[..hash];
        }
        var q = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? (pathAndQuery, "") : (pathAndQuery[..q], pathAndQuery[(q + 1)..]);
    }

    private static void ParseHeaderLine(ReadOnlySpan<byte> line, HttpHeaders headers)
    {
        if (line[0] is (byte)' ' or (byte)'\t')
        {
            // obs-fold: RFC 9112 §5.2 lets a server reject it with 400.
            throw new BadHttpRequestException(400, "obsolete line folding in request headers is not accepted");
        }
        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || !IsToken(line[..colon]))
        {
            // Includes whitespace before the colon, which RFC 9112 §5.1 says must be rejected.
            throw new BadHttpRequestException(400, "malformed request header line");
        }
        var value = line[(colon + 1)..].Trim(" \t"u8);
        foreach (var b in value)
        {
            if (b == 0 || (b < 0x20 && b != '\t') || b == 0x7f)
            {
                throw new BadHttpRequestException(400, "control character in a request header value");
            }
        }
        headers.Add(Encoding.ASCII.GetString(line[..colon]), Encoding.Latin1.GetString(value));
    }

    // token = 1*tchar (RFC 9110 §5.6.2)
    private static bool IsToken(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }
        foreach (var b in s)
        {
            var ok = b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
                || "!#$%&'*+-.^_`|~"u8.Contains(b);
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }
}
