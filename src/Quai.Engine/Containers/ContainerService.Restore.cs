using Microsoft.Extensions.Logging;
using Quai.Linux;
using Quai.Shim.Client;

namespace Quai.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// At daemon start: reconnects to the shim of every container that was running (they kept
    /// running without the daemon), records the exits that happened meanwhile from the shims' exit
    /// files, and starts the containers whose restart policy asks for it.
    /// </summary>
    public async Task RestoreAsync(CancellationToken ct)
    {
        foreach (var c in _store.All())
        {
            if (c.State.Status is "running" or "paused" or "restarting" or "removing")
            {
                if (ShimAlive(c.Id) && File.Exists(Path.Combine(ShimDir(c.Id), "shim.sock")))
                {
                    var run = new RunState { Shim = new ShimClient(ShimDir(c.Id)) };
                    _running[c.Id] = run;
                    if (c.State.Status == "restarting")
                    {
                        c.State.Status = "running";
                    }
                    _networks.Restore(c);
                    _ = MonitorAsync(c, run);
                    StartHealthCheck(c);
                    continue;
                }
                var status = ShimClient.ReadExitFile(ShimDir(c.Id)) ?? new ExitStatus(255, null, DateTimeOffset.UtcNow, false);
                await CleanupAfterLostShimAsync(c).ConfigureAwait(false);
                var lostRun = new RunState { Shim = new ShimClient(ShimDir(c.Id)) };
                await OnExitedAsync(c, lostRun, status).ConfigureAwait(false);
                continue;
            }
            if (c.State.Status == "exited" && !c.ManuallyStopped && c.HostConfig.RestartPolicy?.Name is "always" or "unless-stopped")
            {
                try
                {
                    using (await LockAsync(c.Id, ct).ConfigureAwait(false))
                    {
                        await StartLockedAsync(c, ct).ConfigureAwait(false);
                    }
                }
                catch (EngineException e)
                {
                    _logger.LogWarning("restarting {Container} at daemon start failed: {Error}", c.ShortId, e.Message);
                }
            }
        }
    }

    /// <summary>A shim that died without cleaning up (killed, host crash) leaves the runtime state and the rootfs mount.</summary>
    private async Task CleanupAfterLostShimAsync(ContainerRecord c)
    {
        try
        {
            await RuntimeOf(c).DeleteAsync(c.Id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (EngineException e)
        {
            _logger.LogWarning("runtime delete of {Container} failed: {Error}", c.ShortId, e.Message);
        }
        var rootfs = Path.Combine(_store.Dir(c.Id), "rootfs");
        while (MountInfo.ReadSelf().Any(m => m.MountPoint == rootfs) && Mounts.TryDetach(rootfs) == 0)
        {
        }
    }

    /// <summary>
    /// docker copies the image's content at a volume's path into a new, empty volume (unless
    /// nocopy). The container's layer is mounted once, read, and unmounted.
    /// </summary>
    private async Task CopyUpVolumesAsync(ContainerRecord c, CancellationToken ct)
    {
        var targets = c.Mounts.Where(m => m.Type == "volume" && m.Mode != "nocopy" && !(m.Mode ?? "").Contains("nocopy", StringComparison.Ordinal)
            && Directory.Exists(m.Source) && !Directory.EnumerateFileSystemEntries(m.Source!).Any()).ToList();
        if (targets.Count == 0)
        {
            return;
        }
        var view = Path.Combine(_store.Dir(c.Id), ".copyup");
        Directory.CreateDirectory(view);
        var mounts = await RootfsMountsAsync(c, ct).ConfigureAwait(false);
        foreach (var m in mounts)
        {
            m.MountAt(view);
        }
        try
        {
            foreach (var t in targets)
            {
                var src = Path.Combine(view, t.Destination!.TrimStart('/'));
                if (!Directory.Exists(src) || !Directory.EnumerateFileSystemEntries(src).Any())
                {
                    continue;
                }
                var psi = new System.Diagnostics.ProcessStartInfo("cp") { RedirectStandardError = true };
                foreach (var a in new[] { "-a", "--", src + "/.", t.Source! + "/" })
                {
                    psi.ArgumentList.Add(a);
                }
                using var p = System.Diagnostics.Process.Start(psi)!;
                var err = await p.StandardError.ReadToEndAsync(ct).ConfigureAwait(false);
                await p.WaitForExitAsync(ct).ConfigureAwait(false);
                if (p.ExitCode != 0)
                {
                    throw new EngineException(EngineErrorKind.Internal, $"copying the image's content at {t.Destination} into volume {t.Name} failed: {err.Trim()}");
                }
            }
        }
        finally
        {
            Mounts.Unmount(view, 2);
            Directory.Delete(view);
        }
    }
}
