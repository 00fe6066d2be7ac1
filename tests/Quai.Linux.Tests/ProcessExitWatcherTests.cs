using System.Diagnostics;

namespace Quai.Linux.Tests;

public sealed class ProcessExitWatcherTests
{
    [Fact]
    public async Task A_watch_completes_when_the_process_exits_and_not_before()
    {
        using var watcher = new ProcessExitWatcher();
        using var slow = Process.Start("sleep", "30")!;
        using var quick = Process.Start("sleep", "0.3")!;
        var slowExit = watcher.WatchAsync(slow.Id);
        var quickExit = watcher.WatchAsync(quick.Id);

        await quickExit.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(slowExit.IsCompleted);

        slow.Kill();
        await slowExit.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Many_processes_are_watched_by_one_thread()
    {
        using var watcher = new ProcessExitWatcher();
        var processes = Enumerable.Range(0, 20).Select(i => Process.Start("sleep", $"0.{i % 5 + 1}")!).ToList();
        try
        {
            await Task.WhenAll(processes.Select(p => watcher.WatchAsync(p.Id))).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.All(processes, p => Assert.True(p.WaitForExit(5000)));
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
        }
    }

    [Fact]
    public async Task A_process_that_is_gone_completes_at_once()
    {
        using var watcher = new ProcessExitWatcher();
        using var p = Process.Start("true")!;
        await p.WaitForExitAsync();
        await watcher.WatchAsync(p.Id).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Cancelling_stops_the_watch_and_disposing_cancels_the_rest()
    {
        var watcher = new ProcessExitWatcher();
        using var p = Process.Start("sleep", "30")!;
        try
        {
            using var cts = new CancellationTokenSource();
            var cancelled = watcher.WatchAsync(p.Id, cts.Token);
            var pending = watcher.WatchAsync(p.Id);
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.False(pending.IsCompleted);

            watcher.Dispose();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.True(watcher.WatchAsync(p.Id).IsCanceled);
        }
        finally
        {
            p.Kill();
            watcher.Dispose();
        }
    }
}
