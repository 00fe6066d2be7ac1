using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Quai.Oci.Tests;

public sealed class MinimalJsonEncoderTests
{
    [Theory]
    [InlineData("plain /path/to-bundle_1.2+3")]
    [InlineData("quote \" backslash \\ newline \n tab \t nul \0")]
    [InlineData("html < > & ' ` +")]
    [InlineData("accents éà, CJK 容器, emoji 🐳, DEL \u007f")]
    public void Strings_round_trip_and_the_output_is_ascii(string value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = MinimalJsonEncoder.Instance }))
        {
            w.WriteStartObject();
            w.WriteString(value, value);
            w.WriteEndObject();
        }
        var json = buffer.WrittenSpan.ToArray();
        Assert.All(json, b => Assert.InRange(b, (byte)0x20, (byte)0x7E));
        using var doc = JsonDocument.Parse(json);
        var property = Assert.Single(doc.RootElement.EnumerateObject());
        Assert.Equal(value, property.Name);
        Assert.Equal(value, property.Value.GetString());
    }

    [Fact]
    public void Only_what_json_requires_and_non_ascii_are_escaped()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = MinimalJsonEncoder.Instance }))
        {
            w.WriteStringValue("a+b<c>\"d\"é");
        }
        Assert.Equal("\"a+b<c>\\u0022d\\u0022\\u00E9\"", Encoding.ASCII.GetString(buffer.WrittenSpan));
    }
}
