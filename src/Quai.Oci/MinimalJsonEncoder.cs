using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Quai.Oci;

/// <summary>
/// A JSON string encoder that escapes only what JSON requires (RFC 8259 §7: '"', '\', control
/// characters), plus everything outside printable ASCII, as \uXXXX: the output is plain ASCII and
/// equal in meaning to what JavaScriptEncoder.Default writes.
/// </summary>
/// <remarks>
/// Utf8JsonWriter without an encoder falls back to System.Text.Encodings.Web's default encoder,
/// whose static constructor also builds the UnsafeRelaxedJsonEscaping encoder over every BMP code
/// point: perf put that loop (TextEncoderSettings.AllowRange) first among quai-runtime's own
/// functions, in every process that writes state.json or the init's bootstrap, ~0.5 ms each time.
/// This encoder builds nothing. Unlike the default it leaves HTML-sensitive characters (&lt; &gt;
/// &amp; ' + `) as they are, as runc's Go encoder does for the runtime's files.
/// </remarks>
public sealed class MinimalJsonEncoder : JavaScriptEncoder
{
    /// <summary>The one instance.</summary>
    public static readonly MinimalJsonEncoder Instance = new();

    private MinimalJsonEncoder()
    {
    }

    /// <inheritdoc/>
    public override int MaxOutputCharactersPerInputCharacter => 12; // a surrogate pair as two \uXXXX

    /// <inheritdoc/>
    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < textLength; i++)
        {
            if (Escapes(text[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /// <inheritdoc/>
    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text)
    {
        for (var i = 0; i < utf8Text.Length; i++)
        {
            if (Escapes((char)utf8Text[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /// <inheritdoc/>
    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        numberOfCharactersWritten = 0;
        if (!WillEncode(unicodeScalar))
        {
            if (bufferLength < 1)
            {
                return false;
            }
            buffer[0] = (char)unicodeScalar;
            numberOfCharactersWritten = 1;
            return true;
        }
        Span<char> units = stackalloc char[2];
        var count = new Rune(unicodeScalar).EncodeToUtf16(units);
        if (bufferLength < 6 * count)
        {
            return false;
        }
        for (var i = 0; i < count; i++)
        {
            var hex = ((int)units[i]).ToString("X4", CultureInfo.InvariantCulture);
            buffer[6 * i] = '\\';
            buffer[(6 * i) + 1] = 'u';
            for (var j = 0; j < 4; j++)
            {
                buffer[(6 * i) + 2 + j] = hex[j];
            }
        }
        numberOfCharactersWritten = 6 * count;
        return true;
    }

    /// <inheritdoc/>
    public override bool WillEncode(int unicodeScalar) => unicodeScalar is < 0x20 or > 0x7E or '"' or '\\';

    private static bool Escapes(char c) => c is < (char)0x20 or > (char)0x7E or '"' or '\\';
}
