using Quai.Linux;
using Quai.Runtime.Store;
using Quai.Testing;

namespace Quai.Runtime.Tests.Store;

public class StateStoreTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("a-b_c.d+e")]
    [InlineData("0123456789abcdef")]
    public void Valid_ids(string id) => StateStore.ValidateId(id);

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("x;rm")]
    public void Invalid_ids_are_refused(string id) =>
        Assert.Throws<RuntimeException>(() => StateStore.ValidateId(id));

    [Fact]
    public void Records_round_trip_and_ids_are_unique()
    {
        using var root = new TempDir();
        var store = new StateStore(root.Path);
        store.CreateContainerDir("c1");
        store.Save(new ContainerRecord { Id = "c1", Pid = 42, InitStartTime = 7, Bundle = "/b", Created = DateTimeOffset.UnixEpoch });
        var loaded = store.Load("c1");
        Assert.Equal(42, loaded.Pid);
        Assert.Equal(7UL, loaded.InitStartTime);
        var e = Assert.Throws<RuntimeException>(() => store.CreateContainerDir("c1"));
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal(["c1"], store.ListIds());
        store.Remove("c1");
        store.Remove("c1");
        Assert.Contains("does not exist", Assert.Throws<RuntimeException>(() => store.Load("c1")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_liveness_checks_the_start_time()
    {
        var self = Environment.ProcessId;
        var stat = ProcessInfo.ReadStat(self)!.Value;
        Assert.True(ProcessInfo.IsAlive(self, stat.StartTime));
        Assert.False(ProcessInfo.IsAlive(self, stat.StartTime + 1));
        Assert.Equal("2026-01-02T03:04:05.5Z", Quai.Runtime.Container.ContainerService.FormatTime(new DateTimeOffset(2026, 1, 2, 3, 4, 5, 500, TimeSpan.Zero)));
    }
}
