using Quai.Api.Models;

namespace Quai.Engine.Containers;

public sealed partial class ContainerService
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CancellationTokenSource> _health = new(StringComparer.Ordinal);

    /// <summary>Runs health-check commands (set by the engine: the exec service).</summary>
    internal Func<ContainerRecord, List<string>, TimeSpan, CancellationToken, Task<(int ExitCode, string Output)>>? HealthProbe { get; set; }

    /// <summary>
    /// docker's health checks (moby daemon/health.go): after the start period, run the test every
    /// interval with a timeout; `retries` consecutive failures make the container unhealthy.
    /// </summary>
    private void StartHealthCheck(ContainerRecord c)
    {
        var hc = c.Config.Healthcheck;
        if (hc?.Test is not { Count: > 0 } test || test[0] == "NONE" || HealthProbe is null)
        {
            return;
        }
        List<string> cmd = test[0] switch
        {
            "CMD" => [.. test.Skip(1)],
            "CMD-SHELL" => [.. (c.Config.Shell is { Count: > 0 } shell ? shell : ["/bin/sh", "-c"]), string.Join(' ', test.Skip(1))],
            _ => [.. test],
        };
        var interval = hc.Interval is > 0 ? TimeSpan.FromTicks(hc.Interval.Value / 100) : TimeSpan.FromSeconds(30);
        var timeout = hc.Timeout is > 0 ? TimeSpan.FromTicks(hc.Timeout.Value / 100) : TimeSpan.FromSeconds(30);
        var startPeriod = hc.StartPeriod is > 0 ? TimeSpan.FromTicks(hc.StartPeriod.Value / 100) : TimeSpan.Zero;
        var retries = hc.Retries is > 0 ? hc.Retries.Value : 3;
        var cts = new CancellationTokenSource();
        StopHealthCheck(c.Id);
        _health[c.Id] = cts;
        var started = DateTimeOffset.UtcNow;
        _ = Task.Run(async () =>
        {
            try
            {
                while (!cts.IsCancellationRequested)
                {
                    await Task.Delay(interval, cts.Token).ConfigureAwait(false);
                    var begin = DateTimeOffset.UtcNow;
                    (int code, string output) = await HealthProbe(c, cmd, timeout, cts.Token).ConfigureAwait(false);
                    var health = c.State.Health ??= new Health { Status = "starting", Log = [] };
                    var log = health.Log ??= [];
                    log.Add(new HealthcheckResult { Start = Rfc3339(begin), End = Rfc3339(DateTimeOffset.UtcNow), ExitCode = code, Output = output });
                    if (log.Count > 5)
                    {
                        log.RemoveAt(0);
                    }
                    var before = health.Status;
                    if (code == 0)
                    {
                        health.Status = "healthy";
                        health.FailingStreak = 0;
                    }
                    else if (DateTimeOffset.UtcNow - started >= startPeriod)
                    {
                        health.FailingStreak = (health.FailingStreak ?? 0) + 1;
                        if (health.FailingStreak >= retries)
                        {
                            health.Status = "unhealthy";
                        }
                    }
                    if (_store.Find(c.Id) is not null)
                    {
                        _store.Save(c);
                    }
                    if (before != health.Status)
                    {
                        Publish(c, "health_status: " + health.Status);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (EngineException)
            {
                // The container stopped between two checks.
            }
        });
    }

    private void StopHealthCheck(string id)
    {
        if (_health.TryRemove(id, out var cts))
        {
            cts.Cancel();
            cts.Dispose();
        }
    }
}
