using System.Text;
using Quai.Cli.Api;

namespace Quai.Cli.Tests.Api;

public class StreamDemuxerTests
{
    [Fact]
    public async Task SplitsStdoutAndStderrFrames()
    {
        var input = new MemoryStream([
            .. DockerClientTests.Frame(1, "out1\n"u8.ToArray()),
            .. DockerClientTests.Frame(2, "err\n"u8.ToArray()),
            .. DockerClientTests.Frame(1, "out2\n"u8.ToArray()),
            .. DockerClientTests.Frame(1, []),
        ]);
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var total = await StreamDemuxer.CopyAsync(input, stdout, stderr);
        Assert.Equal("out1\nout2\n", Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Equal("err\n", Encoding.UTF8.GetString(stderr.ToArray()));
        Assert.Equal(14, total);
    }

    [Fact]
    public async Task ASystemErrorFrameThrowsItsText()
    {
        var input = new MemoryStream(DockerClientTests.Frame(3, "exec failed"u8.ToArray()));
        var e = await Assert.ThrowsAsync<IOException>(() => StreamDemuxer.CopyAsync(input, Stream.Null, Stream.Null));
        Assert.Equal("exec failed", e.Message);
    }

    [Fact]
    public async Task ATruncatedFrameThrows()
    {
        var frame = DockerClientTests.Frame(1, "abcdef"u8.ToArray());
        await Assert.ThrowsAsync<IOException>(() => StreamDemuxer.CopyAsync(new MemoryStream(frame[..10]), Stream.Null, Stream.Null));
    }
}
