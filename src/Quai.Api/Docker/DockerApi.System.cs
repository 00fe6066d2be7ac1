using System.Globalization;
using System.Text.Json;
using Quai.Api.Http;
using Quai.Api.Models;
using Quai.Engine;
using Quai.Images.Layers;

namespace Quai.Api.Docker;

public sealed partial class DockerApi
{
    private void MapSystem(Router r)
    {
        r.MapGet("/_ping", PingAsync);
        r.MapHead("/_ping", PingAsync);
        r.MapGet("/version", ctx => ctx.Response.WriteJsonAsync(Version(), ApiJsonContext.Default.SystemVersion, ctx.RequestAborted));
        r.MapGet("/info", InfoAsync);
        r.MapGet("/events", EventsAsync);
        r.MapGet("/system/df", SystemDfAsync);
        r.MapPost("/auth", AuthAsync);
    }

    private static Task PingAsync(HttpContext ctx)
    {
        var h = ctx.Response.Headers;
        h["Cache-Control"] = "no-cache, no-store, must-revalidate";
        h["Pragma"] = "no-cache";
        h["Builder-Version"] = "1";
        h["Swarm"] = "inactive";
        return ctx.Request.Method == "HEAD"
            ? WriteEmptyTextAsync(ctx)
            : ctx.Response.WriteTextAsync("OK", "text/plain; charset=utf-8", ctx.RequestAborted);
    }

    private static Task WriteEmptyTextAsync(HttpContext ctx)
    {
        ctx.Response.Headers["Content-Type"] = "text/plain; charset=utf-8";
        ctx.Response.ContentLength = 0;
        return ctx.Response.StartAsync(ctx.RequestAborted);
    }

    private SystemVersion Version()
    {
        var kernel = Kernel();
        var details = new Dictionary<string, JsonElement>
        {
            ["ApiVersion"] = JsonString(MaxApiVersion),
            ["Arch"] = JsonString("amd64"),
            ["Experimental"] = JsonString("false"),
            ["GitCommit"] = JsonString(Daemon.GitCommit),
            ["GoVersion"] = JsonString(".NET " + Environment.Version),
            ["KernelVersion"] = JsonString(kernel),
            ["MinAPIVersion"] = JsonString("1.24"),
            ["Os"] = JsonString("linux"),
        };
        return new SystemVersion
        {
            Platform = new SystemVersionPlatform { Name = "Quai Engine" },
            Components =
            [
                new SystemVersionComponentsItem { Name = "Engine", Version = Daemon.Version, Details = details },
                new SystemVersionComponentsItem { Name = _engine.Options.DefaultRuntime, Version = Daemon.Version, Details = new Dictionary<string, JsonElement> { ["GitCommit"] = JsonString(Daemon.GitCommit) } },
            ],
            Version = Daemon.Version,
            ApiVersion = MaxApiVersion,
            MinAPIVersion = "1.24",
            GitCommit = Daemon.GitCommit,
            GoVersion = ".NET " + Environment.Version,
            Os = "linux",
            Arch = "amd64",
            KernelVersion = kernel,
            Experimental = false,
            BuildTime = "",
        };
    }

    internal static JsonElement JsonString(string value)
    {
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(value, ApiJsonContext.Default.String));
        return doc.RootElement.Clone();
    }

    private static JsonElement JsonRaw(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static string Kernel() => File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "";

    private async Task InfoAsync(HttpContext ctx)
    {
        var containers = _engine.Containers.All();
        var images = await _engine.Images.Store.ListAsync(ctx.RequestAborted).ConfigureAwait(false);
        var os = "Linux";
        if (File.Exists("/etc/os-release"))
        {
            foreach (var line in await File.ReadAllLinesAsync("/etc/os-release", ctx.RequestAborted).ConfigureAwait(false))
            {
                if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                {
                    os = line["PRETTY_NAME=".Length..].Trim('"');
                }
            }
        }
        long memTotal = 0;
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                memTotal = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                break;
            }
        }
        var cgroupV2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        var runtimes = _engine.Options.Runtimes.ToDictionary(kv => kv.Key, kv => new Runtime { Path = kv.Value });
        var insecure = new List<string> { "127.0.0.0/8" };
        insecure.AddRange(_engine.Options.InsecureRegistries.Where(i => i.Contains('/', StringComparison.Ordinal)));
        // moby's registry service: docker.io, then one entry per insecure registry given by name.
        var indexes = new Dictionary<string, IndexInfo>
        {
            ["docker.io"] = new IndexInfo { Name = "docker.io", Mirrors = [.. _engine.Options.RegistryMirrors], Secure = true, Official = true },
        };
        foreach (var name in _engine.Options.InsecureRegistries.Where(i => !i.Contains('/', StringComparison.Ordinal)))
        {
            indexes[name] = new IndexInfo { Name = name, Mirrors = [], Secure = false, Official = false };
        }
        var info = new SystemInfo
        {
            ID = Daemon.Id,
            Containers = containers.Count,
            ContainersRunning = containers.Count(c => c.State.Status is "running" or "restarting"),
            ContainersPaused = containers.Count(c => c.State.Status == "paused"),
            ContainersStopped = containers.Count(c => c.State.Status is not ("running" or "restarting" or "paused")),
            Images = images.Count,
            Driver = "overlayfs",
            DriverStatus = [["driver-type", "io.containerd.snapshotter.v1"]],
            DockerRootDir = _engine.Options.DataRoot,
            Plugins = JsonRaw("""{"Volume":["local"],"Network":["bridge","host","null"],"Authorization":null,"Log":["json-file","none"]}"""),
            MemoryLimit = true,
            SwapLimit = File.Exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes") || cgroupV2,
            CpuCfsPeriod = true,
            CpuCfsQuota = true,
            CPUShares = true,
            CPUSet = true,
            PidsLimit = true,
            OomKillDisable = !cgroupV2,
            BridgeNfIptables = false,
            Debug = false,
            NFd = Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : 0,
            NGoroutines = System.Diagnostics.Process.GetCurrentProcess().Threads.Count,
            SystemTime = Engine.Containers.ContainerService.Rfc3339(DateTimeOffset.Now),
            LoggingDriver = _engine.Options.LogDriver,
            CgroupDriver = "cgroupfs",
            CgroupVersion = cgroupV2 ? "2" : "1",
            NEventsListener = 0,
            KernelVersion = Kernel(),
            OperatingSystem = os,
            OSVersion = "",
            OSType = "linux",
            Architecture = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64 ? "x86_64" : "aarch64",
            NCPU = Environment.ProcessorCount,
            MemTotal = memTotal,
            IndexServerAddress = "https://index.docker.io/v1/",
            RegistryConfig = new RegistryServiceConfig
            {
                InsecureRegistryCIDRs = insecure,
                IndexConfigs = indexes,
                Mirrors = [.. _engine.Options.RegistryMirrors],
            },
            GenericResources = null,
            HttpProxy = Environment.GetEnvironmentVariable("HTTP_PROXY") ?? "",
            HttpsProxy = Environment.GetEnvironmentVariable("HTTPS_PROXY") ?? "",
            NoProxy = Environment.GetEnvironmentVariable("NO_PROXY") ?? "",
            Name = System.Net.Dns.GetHostName(),
            Labels = [],
            ExperimentalBuild = false,
            ServerVersion = Daemon.Version,
            Runtimes = runtimes,
            DefaultRuntime = _engine.Options.DefaultRuntime,
            Swarm = JsonRaw("""{"NodeID":"","NodeAddr":"","LocalNodeState":"inactive","ControlAvailable":false,"Error":"","RemoteManagers":null}"""),
            LiveRestoreEnabled = _engine.Options.LiveRestore,
            Isolation = "",
            InitBinary = "docker-init",
            ContainerdCommit = new Commit { ID = "" },
            RuncCommit = new Commit { ID = "" },
            InitCommit = new Commit { ID = "" },
            SecurityOptions = ["name=seccomp,profile=builtin", "name=cgroupns"],
            Warnings = [.. Daemon.Warnings],
        };
        await ctx.Response.WriteJsonAsync(info, ApiJsonContext.Default.SystemInfo, ctx.RequestAborted).ConfigureAwait(false);
    }

    private async Task EventsAsync(HttpContext ctx)
    {
        var filters = Filters.Parse(Q(ctx, "filters"));
        filters.Validate("type", "event", "container", "image", "label", "volume", "network", "daemon", "scope", "plugin", "node", "service", "secret", "config");
        var since = ParseTime(Q(ctx, "since"));
        var until = ParseTime(Q(ctx, "until"));
        using var subscription = _engine.Events.Subscribe(since is { } s ? s.ToUnixTimeMilliseconds() * 1_000_000 : null);
        ctx.Response.Headers["Content-Type"] = "application/json";
        await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
        // An `until` already past can only match the history the subscription holds now: send it
        // and end. (Cancelling the read at once instead raced the history out: the token could fire
        // before the first event was read, and `docker events --until <now>` printed nothing.)
        if (until is { } past && past <= DateTimeOffset.UtcNow)
        {
            while (subscription.Reader.TryRead(out var e) && e.Time <= past.ToUnixTimeSeconds())
            {
                await SendAsync(e, ctx.RequestAborted).ConfigureAwait(false);
            }
            return;
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        if (until is { } u)
        {
            cts.CancelAfter(u - DateTimeOffset.UtcNow);
        }
        try
        {
            await foreach (var e in subscription.Reader.ReadAllAsync(cts.Token).ConfigureAwait(false))
            {
                if (until is { } limit && e.Time > limit.ToUnixTimeSeconds())
                {
                    break;
                }
                await SendAsync(e, cts.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The client left, or `until` passed.
        }

        async Task SendAsync(EventMessage e, CancellationToken ct)
        {
            if (!EventMatches(e, filters))
            {
                return;
            }
            var bytes = JsonSerializer.SerializeToUtf8Bytes(e, ApiJsonContext.Default.EventMessage);
            await ctx.Response.Body.WriteAsync(bytes, ct).ConfigureAwait(false);
            await ctx.Response.Body.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
            await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    private static bool EventMatches(EventMessage e, Filters f)
    {
        var attrs = e.Actor?.Attributes ?? [];
        var name = attrs.GetValueOrDefault("name");
        var action = e.Action ?? "";
        var colon = action.IndexOf(':', StringComparison.Ordinal);
        var baseAction = colon > 0 ? action[..colon] : action;
        if (!f.MatchExact("type", e.Type) || !(f.MatchExact("event", action) || f.MatchExact("event", baseAction)) || !f.MatchLabels(attrs))
        {
            return false;
        }
        if (f.Get("container") is { Count: > 0 } cs && (e.Type != "container" || !cs.Any(c => e.Actor?.ID?.StartsWith(c, StringComparison.Ordinal) == true || c == name)))
        {
            return false;
        }
        if (f.Get("image") is { Count: > 0 } images && !images.Any(i => attrs.GetValueOrDefault("image") == i || e.Actor?.ID == i || attrs.GetValueOrDefault("name") == i))
        {
            return false;
        }
        if (f.Get("volume") is { Count: > 0 } vols && (e.Type != "volume" || !vols.Contains(e.Actor?.ID ?? "")))
        {
            return false;
        }
        return f.Get("network") is not { Count: > 0 } nets || (e.Type == "network" && (nets.Contains(e.Actor?.ID ?? "") || nets.Contains(name ?? "")));
    }

    /// <summary>docker's timestamps in queries: Unix seconds (with fraction), RFC 3339, or a duration before now ("10m").</summary>
    internal static DateTimeOffset? ParseTime(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            return t;
        }
        if (TryParseGoDuration(text, out var d))
        {
            return DateTimeOffset.UtcNow - d;
        }
        throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid time \"{text}\": use a Unix timestamp, RFC 3339 or a duration such as 10m");
    }

    private static bool TryParseGoDuration(string text, out TimeSpan d)
    {
        d = TimeSpan.Zero;
        var m = System.Text.RegularExpressions.Regex.Matches(text, @"(\d+(?:\.\d+)?)(h|ms|m|s)");
        if (m.Count == 0 || string.Concat(m.Select(x => x.Value)) != text)
        {
            return false;
        }
        foreach (System.Text.RegularExpressions.Match x in m)
        {
            var v = double.Parse(x.Groups[1].Value, CultureInfo.InvariantCulture);
            d += x.Groups[2].Value switch { "h" => TimeSpan.FromHours(v), "m" => TimeSpan.FromMinutes(v), "s" => TimeSpan.FromSeconds(v), _ => TimeSpan.FromMilliseconds(v) };
        }
        return true;
    }

    private async Task SystemDfAsync(HttpContext ctx)
    {
        var images = await ImageSummariesAsync(all: true, Filters.None, ctx.RequestAborted).ConfigureAwait(false);
        var containers = await _engine.Containers.ListAsync(all: true, null, size: true, Filters.None, ctx.RequestAborted).ConfigureAwait(false);
        var volumes = _engine.Volumes.ListWithUsage();

        // Layers are shared between images (by chain ID): LayersSize counts each once, and an
        // image's SharedSize is what it shares with another image, as dockerd's df reports them.
        var users = new Dictionary<string, int>(StringComparer.Ordinal);
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var layersOf = new List<(ImageSummary Summary, List<(string Chain, long Size)> Layers)>();
        foreach (var (summary, image, layerSizes) in images)
        {
            var chains = ChainId.ComputeAll(image.Config.RootFs.DiffIds);
            var list = new List<(string, long)>();
            for (var i = 0; i < Math.Min(chains.Count, layerSizes.Count); i++)
            {
                var chain = chains[i].ToString();
                list.Add((chain, layerSizes[i]));
                sizes[chain] = layerSizes[i];
                users[chain] = users.GetValueOrDefault(chain) + 1;
            }
            layersOf.Add((summary, list));
        }
        foreach (var (summary, layers) in layersOf)
        {
            summary.SharedSize = layers.Where(l => users[l.Chain] > 1).Sum(l => l.Size);
        }
        var response = new SystemDataUsageResponse
        {
            LayersSize = sizes.Values.Sum(),
            Images = [.. images.Select(e => e.Summary)],
            Containers = containers,
            Volumes = [.. volumes],
            BuildCache = [],
        };
        await ctx.Response.WriteJsonAsync(response, ApiJsonContext.Default.SystemDataUsageResponse, ctx.RequestAborted).ConfigureAwait(false);
    }

    private async Task AuthAsync(HttpContext ctx)
    {
        var auth = await ReadJsonAsync(ctx, ApiJsonContext.Default.AuthConfig).ConfigureAwait(false)
            ?? throw new EngineException(EngineErrorKind.InvalidArgument, "the request body must be an AuthConfig");
        await _engine.Images.LoginAsync(auth.Serveraddress, auth.Username ?? "", auth.Password ?? "", ctx.RequestAborted).ConfigureAwait(false);
        await ctx.Response.WriteJsonAsync(new SystemAuthResponse { Status = "Login Succeeded", IdentityToken = "" }, ApiJsonContext.Default.SystemAuthResponse, ctx.RequestAborted).ConfigureAwait(false);
    }
}
