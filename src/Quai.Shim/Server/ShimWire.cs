using System.Buffers;
using System.Text.Json;
using Quai.Oci;
using Quai.Shim.Client;

namespace Quai.Shim.Server;

/// <summary>
/// The shim's own side of its JSON (the rootfs mounts file, request lines, reply lines and
/// exit.json), read and written directly with Utf8JsonReader/Utf8JsonWriter. The shim starts once
/// per container and everything here runs before the container does: System.Text.Json's
/// serializer metadata for ShimJsonContext, and the default encoder its static constructor builds
/// (TextEncoderSettings walks every BMP code point), cost ~0.6 ms of each shim start in perf. The
/// bytes are the same as ShimJsonContext's (camelCase, the client reads them with it).
/// </summary>
internal static class ShimWire
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = MinimalJsonEncoder.Instance };

    /// <summary>The rootfs mounts file: a JSON array of {"type","source","options"}.</summary>
    public static RootfsMount[] ReadMounts(ReadOnlySpan<byte> json)
    {
        try
        {
            return ParseMounts(json);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // A value of the wrong type ("options": 3, "type": true).
            throw new JsonException(e.Message, e);
        }
    }

    /// <summary>A request line ({"op":…} and its fields; unknown ones are ignored).</summary>
    public static ShimRequest ReadRequest(ReadOnlySpan<byte> json)
    {
        try
        {
            return ParseRequest(json);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new JsonException(e.Message, e);
        }
    }

    private static RootfsMount[] ParseMounts(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartArray);
        var mounts = new List<RootfsMount>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            Require(reader, JsonTokenType.StartObject);
            string type = "", source = "";
            var options = new List<string>();
            while (Next(ref reader) != JsonTokenType.EndObject)
            {
                var name = reader.GetString();
                Next(ref reader);
                switch (name)
                {
                    case "type":
                        type = reader.GetString() ?? "";
                        break;
                    case "source":
                        source = reader.GetString() ?? "";
                        break;
                    case "options" when reader.TokenType == JsonTokenType.StartArray:
                        while (Next(ref reader) != JsonTokenType.EndArray)
                        {
                            options.Add(reader.GetString() ?? throw new JsonException("null in \"options\""));
                        }
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
            mounts.Add(new RootfsMount { Type = type, Source = source, Options = options });
        }
        return [.. mounts];
    }

    private static ShimRequest ParseRequest(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        var request = new ShimRequest();
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            Next(ref reader);
            request = name switch
            {
                "op" => request with { Op = reader.GetString() ?? "" },
                "stdin" => request with { Stdin = reader.GetBoolean() },
                "stdout" => request with { Stdout = reader.GetBoolean() },
                "stderr" => request with { Stderr = reader.GetBoolean() },
                "logs" => request with { Logs = reader.GetBoolean() },
                "early" => request with { Early = reader.GetBoolean() },
                "width" => request with { Width = reader.GetInt32() },
                "height" => request with { Height = reader.GetInt32() },
                _ => Skip(ref reader, request),
            };
        }
        return request;
    }

    /// <summary>exit.json and the wait reply: {"exitCode","signal","finishedAt","oomKilled"}, signal written as null.</summary>
    public static byte[] Json(ExitRecord exit) => Write(w =>
    {
        w.WriteNumber("exitCode", exit.ExitCode);
        if (exit.Signal is { } signal)
        {
            w.WriteNumber("signal", signal);
        }
        else
        {
            w.WriteNull("signal");
        }
        w.WriteString("finishedAt", exit.FinishedAt);
        w.WriteBoolean("oomKilled", exit.OomKilled);
    });

    /// <summary>{"ok":…} with "error" when there is one.</summary>
    public static byte[] Json(ShimReply reply) => Write(w =>
    {
        w.WriteBoolean("ok", reply.Ok);
        if (reply.Error is { } error)
        {
            w.WriteString("error", error);
        }
    });

    /// <summary>{"pid","running","exitCode"}, exitCode written as null while running.</summary>
    public static byte[] Json(ShimState state) => Write(w =>
    {
        w.WriteNumber("pid", state.Pid);
        w.WriteBoolean("running", state.Running);
        if (state.ExitCode is { } code)
        {
            w.WriteNumber("exitCode", code);
        }
        else
        {
            w.WriteNull("exitCode");
        }
    });

    /// <summary><paramref name="json"/> and a newline: one line of the shim.sock protocol.</summary>
    public static byte[] Line(byte[] json)
    {
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static ShimRequest Skip(ref Utf8JsonReader reader, ShimRequest request)
    {
        reader.Skip();
        return request;
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("the JSON ends early");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type) => Require(reader, Next(ref reader) == type ? type : reader.TokenType, type);

    private static void Require(Utf8JsonReader reader, JsonTokenType type) => Require(reader, reader.TokenType, type);

    private static void Require(Utf8JsonReader reader, JsonTokenType actual, JsonTokenType expected)
    {
        if (actual != expected)
        {
            throw new JsonException($"expected {expected}, found {actual} at byte {reader.TokenStartIndex}");
        }
    }
}
