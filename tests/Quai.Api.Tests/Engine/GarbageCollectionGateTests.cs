using Quai.Engine.Images;

namespace Quai.Api.Tests.Engine;

public sealed class GarbageCollectionGateTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_collection_with_nobody_holding_runs_at_once()
    {
        var runs = 0;
        var gate = new GarbageCollectionGate(() => { runs++; return Task.CompletedTask; }, e => throw e);
        await gate.CollectAsync();
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task A_collection_asked_for_while_held_runs_when_the_last_holder_leaves()
    {
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        var gate = new GarbageCollectionGate(() => { Interlocked.Increment(ref runs); ran.TrySetResult(); return Task.CompletedTask; }, e => throw e);
        var first = await gate.EnterAsync(CancellationToken.None);
        var second = await gate.EnterAsync(CancellationToken.None);
        await gate.CollectAsync();
        await gate.CollectAsync();
        Assert.Equal(0, runs);
        first.Dispose();
        first.Dispose();
        Assert.Equal(0, runs);
        second.Dispose();
        await ran.Task.WaitAsync(Long);
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task Entering_during_a_collection_waits_for_its_end()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new GarbageCollectionGate(async () => { started.TrySetResult(); await release.Task; }, e => throw e);
        var collecting = gate.CollectAsync();
        await started.Task.WaitAsync(Long);
        var entering = gate.EnterAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(entering.IsCompleted);
        release.SetResult();
        await collecting.WaitAsync(Long);
        (await entering.WaitAsync(Long)).Dispose();
    }

    [Fact]
    public async Task A_failed_collection_is_reported_and_leaves_the_gate_open()
    {
        Exception? reported = null;
        var gate = new GarbageCollectionGate(() => throw new IOException("disk gone"), e => reported = e);
        await gate.CollectAsync();
        Assert.Equal("disk gone", reported?.Message);
        (await gate.EnterAsync(CancellationToken.None).WaitAsync(Long)).Dispose();
    }
}
