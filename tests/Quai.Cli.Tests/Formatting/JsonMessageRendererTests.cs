using System.Text;
using System.Text.Json.Nodes;
using Quai.Cli.Formatting;

namespace Quai.Cli.Tests.Formatting;

public class JsonMessageRendererTests
{
    private const string PullStream = """
        {"status":"Pulling from library/busybox","id":"latest"}
        {"status":"Pulling fs layer","progressDetail":{},"id":"aaa"}
        {"status":"Downloading","progressDetail":{"current":1200000,"total":3400000},"progress":"[==>   ]","id":"aaa"}
        {"status":"Download complete","progressDetail":{},"id":"aaa"}
        {"status":"Extracting","progressDetail":{"current":3400000,"total":3400000},"id":"aaa"}
        {"status":"Pull complete","progressDetail":{},"id":"aaa"}
        {"status":"Digest: sha256:0123"}
        {"status":"Status: Downloaded newer image for busybox:latest"}

        """;

    private static async Task<string> RenderAsync(string stream, bool tty)
    {
        var sw = new StringWriter { NewLine = "\n" };
        var r = new JsonMessageRenderer(sw, tty, 200);
        await r.RenderAsync(new MemoryStream(Encoding.UTF8.GetBytes(stream)));
        return sw.ToString();
    }

    [Fact]
    public async Task OffATerminalEachStatusOnceWithoutBars()
    {
        Assert.Equal(
            "latest: Pulling from library/busybox\naaa: Pulling fs layer\naaa: Download complete\naaa: Pull complete\nDigest: sha256:0123\nStatus: Downloaded newer image for busybox:latest\n",
            await RenderAsync(PullStream, tty: false));
    }

    [Fact]
    public async Task OnATerminalLinesAreRedrawnInPlace()
    {
        var output = await RenderAsync(PullStream, tty: true);
        Assert.StartsWith("latest: Pulling from library/busybox\n\n\u001b[1A\r\u001b[2K\raaa: Pulling fs layer \r\u001b[1B", output);
        Assert.Contains("aaa: Downloading [" + new string('=', 17) + ">" + new string(' ', 33) + "]    1.2MB/3.4MB\r", output);
        Assert.EndsWith("Digest: sha256:0123\nStatus: Downloaded newer image for busybox:latest\n", output);
    }

    [Fact]
    public async Task AnErrorMessageThrows()
    {
        var e = await Assert.ThrowsAsync<JsonMessageException>(() => RenderAsync("{\"errorDetail\":{\"message\":\"manifest unknown\"},\"error\":\"manifest unknown\"}\n", false));
        Assert.Equal("manifest unknown", e.Message);
    }

    [Fact]
    public void ProgressBarWithTimeLeft()
    {
        var r = new JsonMessageRenderer(TextWriter.Null, true, 200) { Clock = () => DateTimeOffset.FromUnixTimeSeconds(1010) };
        var bar = r.ProgressString(JsonNode.Parse("{\"current\":500000,\"total\":1000000,\"start\":1000}")!);
        Assert.Equal("[=========================>                         ]    500kB/1MB 10s", bar);
        Assert.Equal("", r.ProgressString(JsonNode.Parse("{}")!));
        Assert.Equal("   1.5MB", r.ProgressString(JsonNode.Parse("{\"current\":1500000}")!));
    }
}
