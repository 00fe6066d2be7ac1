using Quai.Runtime.Store;

namespace Quai.Runtime.Tests.Store;

public class StatusResolverTests
{
    [Theory]
    [InlineData("creating", true, true, false, "creating")]
    [InlineData("creating", false, true, false, "stopped")]
    [InlineData("created", true, true, false, "created")]
    [InlineData("created", true, false, false, "running")]
    [InlineData("created", true, false, true, "paused")]
    [InlineData("created", false, true, false, "stopped")]
    [InlineData("created", false, false, true, "stopped")]
    public void Derives_status(string phase, bool alive, bool fifo, bool frozen, string expected) =>
        Assert.Equal(expected, StatusResolver.Resolve(phase, alive, fifo, frozen));
}
