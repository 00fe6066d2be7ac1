using System.Text;
using System.Text.Json;
using Quai.Shim.Client;
using Quai.Shim.Server;

namespace Quai.Shim.Tests;

/// <summary>The shim's hand-written JSON is byte for byte what ShimJsonContext (quaid's side) reads and writes.</summary>
public class ShimWireTests
{
    [Theory]
    [InlineData(0, null, false)]
    [InlineData(137, 9, true)]
    public void Exit_records_are_written_as_ShimJsonContext_writes_them(int code, int? signal, bool oom)
    {
        var exit = new ExitRecord { ExitCode = code, Signal = signal, FinishedAt = "2026-12-07T23:00:00.123456789Z", OomKilled = oom };
        Assert.Equal(JsonSerializer.Serialize(exit, ShimJsonContext.Default.ExitRecord), Encoding.UTF8.GetString(ShimWire.Json(exit)));
        Assert.Equal(exit, JsonSerializer.Deserialize(ShimWire.Json(exit), ShimJsonContext.Default.ExitRecord));
    }

    [Fact]
    public void Replies_and_states_are_written_as_ShimJsonContext_writes_them()
    {
        var ok = new ShimReply { Ok = true };
        Assert.Equal(JsonSerializer.Serialize(ok, ShimJsonContext.Default.ShimReply), Encoding.UTF8.GetString(ShimWire.Json(ok)));
        // Escapes may be spelt differently (\u000A for \n); the text read back is the same.
        var error = new ShimReply { Error = "resize: no terminal \"x\" é\n" };
        Assert.Equal(error, JsonSerializer.Deserialize(ShimWire.Json(error), ShimJsonContext.Default.ShimReply));
        Assert.DoesNotContain("ok\":true", Encoding.UTF8.GetString(ShimWire.Json(error)), StringComparison.Ordinal);
        foreach (var state in new[] { new ShimState { Pid = 42, Running = true }, new ShimState { Pid = 42, ExitCode = 3 } })
        {
            Assert.Equal(JsonSerializer.Serialize(state, ShimJsonContext.Default.ShimState), Encoding.UTF8.GetString(ShimWire.Json(state)));
        }
        Assert.Equal("{\"ok\":true}\n", Encoding.UTF8.GetString(ShimWire.Line(ShimWire.Json(new ShimReply { Ok = true }))));
    }

    [Fact]
    public void Requests_and_mounts_read_back_what_ShimJsonContext_writes()
    {
        var request = new ShimRequest { Op = "attach", Stdin = true, Stdout = true, Stderr = false, Logs = true, Width = 80, Height = 24, Early = true };
        Assert.Equal(request, ShimWire.ReadRequest(JsonSerializer.SerializeToUtf8Bytes(request, ShimJsonContext.Default.ShimRequest)));
        Assert.Equal(new ShimRequest { Op = "wait" }, ShimWire.ReadRequest("{\"op\":\"wait\",\"future\":{\"a\":[1,2]}}"u8));

        RootfsMount[] mounts =
        [
            new() { Type = "overlay", Source = "overlay", Options = ["lowerdir=/a:/b", "upperdir=/u", "workdir=/w", "volatile"] },
            new() { Type = "bind", Source = "/x y", Options = [] },
        ];
        var read = ShimWire.ReadMounts(JsonSerializer.SerializeToUtf8Bytes(mounts, ShimJsonContext.Default.RootfsMountArray));
        Assert.Equal(mounts.Length, read.Length);
        for (var i = 0; i < mounts.Length; i++)
        {
            Assert.Equal((mounts[i].Type, mounts[i].Source), (read[i].Type, read[i].Source));
            Assert.Equal(mounts[i].Options, read[i].Options);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"op\":\"wait\"")]
    [InlineData("[]")]
    [InlineData("{\"op\":\"resize\",\"width\":\"wide\"}")]
    [InlineData("{\"early\":1}")]
    public void A_bad_request_line_is_a_JsonException(string line) =>
        Assert.ThrowsAny<JsonException>(() => ShimWire.ReadRequest(Encoding.UTF8.GetBytes(line)));

    [Theory]
    [InlineData("{}")]
    [InlineData("[{\"type\":\"overlay\",\"options\":[3]}]")]
    [InlineData("[{\"type\":true}]")]
    [InlineData("[1]")]
    public void A_bad_mounts_file_is_a_JsonException(string json) =>
        Assert.ThrowsAny<JsonException>(() => ShimWire.ReadMounts(Encoding.UTF8.GetBytes(json)));
}
