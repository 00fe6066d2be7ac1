using System.Text;
using System.Text.Json;
using Quai.Shim.Server;
using Quai.Testing;

namespace Quai.Shim.Tests;

/// <summary>docker's json-file format, line splitting and rotation, without a container.</summary>
public class JsonFileLoggerTests
{
    [Fact]
    public void Lines_longer_than_16_KiB_are_split_and_only_the_last_piece_has_the_newline()
    {
        using var dir = new TempDir("quai-shim-log");
        var path = dir.Combine("c.log");
        using (var logger = new JsonFileLogger(path, 0, 1))
        {
            var line = new string('a', 40_000) + "\n";
            var bytes = Encoding.ASCII.GetBytes(line);
            // Arrives in odd chunks, as pipe reads do.
            for (var i = 0; i < bytes.Length; i += 7_001)
            {
                logger.Write(false, bytes.AsSpan(i, Math.Min(7_001, bytes.Length - i)));
            }
            logger.Write(true, "no newline at the end"u8);
            logger.Flush();
        }
        var entries = File.ReadAllLines(path).Select(Parse).ToList();
        Assert.Equal(4, entries.Count);
        Assert.Equal(JsonFileLogger.MaxLine, entries[0].Log.Length);
        Assert.Equal(JsonFileLogger.MaxLine, entries[1].Log.Length);
        Assert.Equal(new string('a', 40_000 - (2 * JsonFileLogger.MaxLine)) + "\n", entries[2].Log);
        Assert.All(entries.Take(3), e => Assert.Equal("stdout", e.Stream));
        Assert.Equal(("no newline at the end", "stderr"), (entries[3].Log, entries[3].Stream));
    }

    [Fact]
    public void Entries_are_escaped_as_go_encodes_json()
    {
        Span<byte> buffer = new byte[JsonLogEncoder.MaxLength(64)];
        byte[] input = [.. "a\"b\\c<d>&\t\r\n\u0001é"u8, 0xFF, .. "\u2028"u8];
        var n = JsonLogEncoder.Encode(input, false, "2026-01-02T03:04:05.123456789Z"u8, buffer);
        var text = Encoding.UTF8.GetString(buffer[..n]);
        Assert.Equal("{\"log\":\"a\\\"b\\\\c\\u003cd\\u003e\\u0026\\t\\r\\n\\u0001é\\ufffd\\u2028\",\"stream\":\"stdout\",\"time\":\"2026-01-02T03:04:05.123456789Z\"}\n", text);
        Assert.Equal("a\"b\\c<d>&\t\r\n\u0001é\uFFFD\u2028", Parse(text.TrimEnd('\n')).Log);
    }

    [Fact]
    public void Rotation_with_max_file_1_truncates_and_keeps_no_old_file()
    {
        using var dir = new TempDir("quai-shim-log");
        var path = dir.Combine("c.log");
        using (var logger = new JsonFileLogger(path, 200, 1))
        {
            for (var i = 0; i < 10; i++)
            {
                logger.Write(false, Encoding.ASCII.GetBytes($"line {i}\n"));
            }
        }
        Assert.False(File.Exists(path + ".1"));
        var entries = File.ReadAllLines(path).Select(Parse).ToList();
        Assert.InRange(new FileInfo(path).Length, 1, 200);
        Assert.Equal("line 9\n", entries[^1].Log);
        Assert.True(entries.Count < 10);
    }

    [Fact]
    public void Timestamps_have_nanoseconds_and_parse_back()
    {
        Span<byte> buffer = stackalloc byte[32];
        var n = Rfc3339.Format(1_700_000_000, 123_456_789, buffer);
        var text = Encoding.ASCII.GetString(buffer[..n]);
        Assert.Equal("2023-11-14T22:13:20.123456789Z", text);
        Assert.Equal(new DateTimeOffset(2023, 11, 14, 22, 13, 20, TimeSpan.Zero).AddTicks(1_234_567), Rfc3339.Parse(text));
    }

    private static (string Log, string Stream) Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        return (doc.RootElement.GetProperty("log").GetString()!, doc.RootElement.GetProperty("stream").GetString()!);
    }
}
