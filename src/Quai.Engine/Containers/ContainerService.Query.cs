using System.Globalization;
using Quai.Api.Models;

namespace Quai.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>GET /containers/{id}/json.</summary>
    public async Task<ContainerInspectResponse> InspectAsync(string nameOrId, bool size, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        var r = new ContainerInspectResponse
        {
            Id = c.Id,
            Created = Rfc3339(c.Created),
            Path = c.Command.FirstOrDefault() ?? "",
            Args = [.. c.Command.Skip(1)],
            State = new ContainerState
            {
                Status = c.State.Status,
                Running = c.State.Status is "running" or "paused",
                Paused = c.State.Status == "paused",
                Restarting = c.State.Status == "restarting",
                OOMKilled = c.State.OomKilled,
                Dead = c.State.Status == "dead",
                Pid = c.State.Pid,
                ExitCode = c.State.ExitCode,
                Error = c.State.Error,
                StartedAt = c.State.StartedAt is { } s ? Rfc3339(s) : "0001-01-01T00:00:00Z",
                FinishedAt = c.State.FinishedAt is { } f ? Rfc3339(f) : "0001-01-01T00:00:00Z",
                Health = c.State.Health,
            },
            Image = c.Image,
            ResolvConfPath = c.ResolvConfPath,
            HostnamePath = c.HostnamePath,
            HostsPath = c.HostsPath,
            LogPath = c.LogPath,
            Name = "/" + c.Name,
            RestartCount = c.RestartCount,
            Driver = "overlayfs",
            Platform = "linux",
            MountLabel = "",
            ProcessLabel = "",
            AppArmorProfile = "",
            ExecIDs = ExecIdsOf?.Invoke(c.Id) is { Count: > 0 } execs ? [.. execs] : null,
            HostConfig = c.HostConfig,
            GraphDriver = new DriverData { Name = "overlayfs", Data = [] },
            Mounts = c.Mounts,
            Config = c.Config,
            NetworkSettings = c.NetworkSettings ?? new NetworkSettings(),
        };
        if (size)
        {
            var usage = await _snapshots.UsageAsync(c.SnapshotKey, ct).ConfigureAwait(false);
            r.SizeRw = usage.Size;
            r.SizeRootFs = usage.Size + (await _images.ImageSizeAsync(c.Image, ct).ConfigureAwait(false));
        }
        return r;
    }

    /// <summary>Exec IDs of a container (set by the exec service).</summary>
    internal Func<string, IReadOnlyList<string>>? ExecIdsOf { get; set; }

    /// <summary>GET /containers/json with docker's filters.</summary>
    public async Task<List<ContainerSummary>> ListAsync(bool all, int? limit, bool size, Filters filters, CancellationToken ct)
    {
        filters.Validate("id", "name", "label", "label!", "status", "exited", "ancestor", "before", "since", "volume", "network", "health", "is-task", "publish", "expose");
        var containers = _store.All().OrderByDescending(c => c.Created).ToList();
        if (filters.Get("status") is { Count: > 0 } statuses)
        {
            foreach (var s in statuses)
            {
                if (s is not ("created" or "restarting" or "running" or "removing" or "paused" or "exited" or "dead"))
                {
                    throw EngineException.Invalid($"invalid filter 'status={s}'");
                }
            }
        }
        DateTimeOffset? before = filters.Get("before") is { Count: > 0 } b ? _store.Get(b[0]).Created : null;
        DateTimeOffset? since = filters.Get("since") is { Count: > 0 } sn ? _store.Get(sn[0]).Created : null;
        var ancestors = new List<string>();
        foreach (var a in filters.Get("ancestor") ?? [])
        {
            try
            {
                ancestors.Add((await _images.ResolveForRunAsync(a, ct).ConfigureAwait(false)).Id.ToString());
            }
            catch (EngineException)
            {
                // An unknown image matches nothing.
            }
        }

        var result = new List<ContainerSummary>();
        foreach (var c in containers)
        {
            var status = c.State.Status;
            var explicitStatus = filters.Get("status") is { Count: > 0 };
            if (!all && !explicitStatus && limit is not > 0 && before is null && since is null && status is not ("running" or "paused" or "restarting"))
            {
                continue;
            }
            if (!filters.MatchExact("status", status) || !filters.MatchLabels(c.Config.Labels))
            {
                continue;
            }
            if (filters.Get("id") is { Count: > 0 } ids && !ids.Any(i => c.Id.StartsWith(i, StringComparison.Ordinal)))
            {
                continue;
            }
            if (filters.Get("name") is { Count: > 0 } names && !names.Any(n => System.Text.RegularExpressions.Regex.IsMatch("/" + c.Name, n.StartsWith('/') || n.StartsWith('^') ? n : n)))
            {
                continue;
            }
            if (filters.Get("exited") is { Count: > 0 } exited && !(status == "exited" && exited.Contains(c.State.ExitCode.ToString(CultureInfo.InvariantCulture))))
            {
                continue;
            }
            if (filters.Get("ancestor") is { Count: > 0 } && !ancestors.Contains(c.Image))
            {
                continue;
            }
            if ((before is not null && c.Created >= before) || (since is not null && c.Created <= since))
            {
                continue;
            }
            if (filters.Get("volume") is { Count: > 0 } vols && !c.Mounts.Any(m => vols.Contains(m.Name ?? "") || vols.Contains(m.Destination ?? "")))
            {
                continue;
            }
            if (filters.Get("network") is { Count: > 0 } nets && !nets.Any(n => n == c.HostConfig.NetworkMode || (c.NetworkSettings?.Networks?.ContainsKey(n) ?? false)))
            {
                continue;
            }
            if (filters.Get("health") is { Count: > 0 } health && !health.Contains(c.State.Health?.Status ?? "none"))
            {
                continue;
            }
            if (filters.Get("is-task") is { Count: > 0 } task && task[0] == "true")
            {
                continue;
            }
            result.Add(await SummaryAsync(c, size, ct).ConfigureAwait(false));
        }
        if (limit is > 0)
        {
            result = [.. result.Take(limit.Value)];
        }
        return result;
    }

    private async Task<ContainerSummary> SummaryAsync(ContainerRecord c, bool size, CancellationToken ct)
    {
        var s = new ContainerSummary
        {
            Id = c.Id,
            Names = ["/" + c.Name],
            Image = c.ImageName,
            ImageID = c.Image,
            Command = string.Join(' ', c.Command.Select(QuoteArg)),
            Created = c.Created.ToUnixTimeSeconds(),
            Ports = PortsOf(c),
            Labels = c.Config.Labels ?? [],
            State = c.State.Status,
            Status = StatusText(c),
            HostConfig = new ContainerSummaryHostConfig { NetworkMode = c.HostConfig.NetworkMode ?? "bridge" },
            NetworkSettings = new ContainerSummaryNetworkSettings { Networks = c.NetworkSettings?.Networks ?? [] },
            Mounts = c.Mounts,
        };
        if (size)
        {
            s.SizeRw = (await _snapshots.UsageAsync(c.SnapshotKey, ct).ConfigureAwait(false)).Size;
            s.SizeRootFs = s.SizeRw + await _images.ImageSizeAsync(c.Image, ct).ConfigureAwait(false);
        }
        return s;
    }

    private static string QuoteArg(string a) => a.Length == 0 || a.Any(char.IsWhiteSpace) ? "\"" + a + "\"" : a;

    private static List<Port> PortsOf(ContainerRecord c)
    {
        var ports = new List<Port>();
        foreach (var (key, bindings) in c.NetworkSettings?.Ports ?? [])
        {
            var parts = key.Split('/');
            var privatePort = long.Parse(parts[0], CultureInfo.InvariantCulture);
            var type = parts.Length > 1 ? parts[1] : "tcp";
            if (bindings is null || bindings.Count == 0)
            {
                ports.Add(new Port { PrivatePort = privatePort, Type = type });
                continue;
            }
            foreach (var b in bindings)
            {
                ports.Add(new Port { IP = b.HostIp, PrivatePort = privatePort, PublicPort = long.TryParse(b.HostPort, out var hp) ? hp : null, Type = type });
            }
        }
        return ports;
    }

    /// <summary>`docker ps` STATUS (moby container/state.go String()).</summary>
    internal static string StatusText(ContainerRecord c)
    {
        var now = DateTimeOffset.UtcNow;
        switch (c.State.Status)
        {
            case "running" or "paused":
                var up = "Up " + HumanDuration(now - (c.State.StartedAt ?? now));
                if (c.State.Status == "paused")
                {
                    return up + " (Paused)";
                }
                return c.State.Health?.Status switch
                {
                    "starting" => up + " (health: starting)",
                    "healthy" => up + " (healthy)",
                    "unhealthy" => up + " (unhealthy)",
                    _ => up,
                };
            case "restarting":
                return $"Restarting ({c.State.ExitCode}) {HumanDuration(now - (c.State.FinishedAt ?? now))} ago";
            case "removing":
                return "Removal In Progress";
            case "dead":
                return "Dead";
            case "exited" when c.State.FinishedAt is { } f:
                return $"Exited ({c.State.ExitCode}) {HumanDuration(now - f)} ago";
            default:
                return "Created";
        }
    }

    /// <summary>go-units HumanDuration, as the CLI prints it too.</summary>
    public static string HumanDuration(TimeSpan d) => GoUnits.HumanDuration(d);

    /// <summary>RFC 3339 with nanoseconds, UTC, as Go's time.RFC3339Nano prints.</summary>
    public static string Rfc3339(DateTimeOffset t)
    {
        var utc = t.UtcDateTime;
        var frac = (utc.Ticks % TimeSpan.TicksPerSecond).ToString("D7", CultureInfo.InvariantCulture).TrimEnd('0');
        return utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + (frac.Length > 0 ? "." + frac : "") + "Z";
    }
}
