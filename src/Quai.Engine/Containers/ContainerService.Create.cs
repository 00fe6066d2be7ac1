using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Quai.Api.Models;
using ImageContainerConfig = Quai.Oci.Image.ContainerConfig;

namespace Quai.Engine.Containers;

public sealed partial class ContainerService
{
    [GeneratedRegex("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex ValidName();

    /// <summary>
    /// POST /containers/create: resolves the image (404 "No such image" lets the client pull),
    /// merges its config, plans mounts, prepares the writable layer and records the container.
    /// Nothing is left behind when any step fails.
    /// </summary>
    public async Task<ContainerCreateResponse> CreateAsync(string? name, ContainerCreateRequest request, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.Image))
        {
            throw EngineException.Invalid("No image specified: give an image to run");
        }
        if (!string.IsNullOrEmpty(name) && !ValidName().IsMatch(name))
        {
            throw EngineException.Invalid($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        // The name is reserved now, as moby's name index does, so that parallel creates cannot
        // both take it (a generated one is drawn again until the reservation succeeds).
        var generated = string.IsNullOrEmpty(name);
        name = generated ? NameGenerator.Next(n => !_store.TryReserveName(n, id)) : name!.TrimStart('/');
        if (!generated && !_store.TryReserveName(name, id))
        {
            var other = _store.Find(name)?.Id ?? _store.ReservedBy(name) ?? "";
            throw EngineException.Conflict($"Conflict. The container name \"/{name}\" is already in use by container \"{other}\". You have to remove (or rename) that container to be able to reuse that name.");
        }
        try
        {
            return await CreateReservedAsync(id, name, request, ct).ConfigureAwait(false);
        }
        finally
        {
            _store.ReleaseName(name, id);
        }
    }

    private async Task<ContainerCreateResponse> CreateReservedAsync(string id, string name, ContainerCreateRequest request, CancellationToken ct)
    {
        var host = request.HostConfig ?? new HostConfig();
        ValidateHostConfig(host);
        // The image's layers must stay until the container's snapshot sits on them.
        using var hold = await _images.HoldContentAsync(ct).ConfigureAwait(false);
        var image = await _images.ResolveForRunAsync(request.Image!, ct).ConfigureAwait(false);

        var config = MergeConfig(request, image.Config.Config, id);
        var command = new List<string>();
        command.AddRange(config.Entrypoint ?? []);
        command.AddRange(config.Cmd ?? []);
        if (command.Count == 0)
        {
            throw EngineException.Invalid("no command specified");
        }
        if (host.RestartPolicy is { Name: "always" or "unless-stopped" } && host.AutoRemove == true)
        {
            throw EngineException.Invalid("conflicting options: cannot specify both --restart and --rm");
        }

        var runtime = string.IsNullOrEmpty(host.Runtime) ? _options.DefaultRuntime : host.Runtime;
        if (!_options.Runtimes.ContainsKey(runtime))
        {
            throw EngineException.Invalid($"unknown or invalid runtime name: {runtime}");
        }

        var dir = _store.Dir(id);
        var createdVolumes = new List<string>();
        var snapshotKey = "container-" + id;
        try
        {
            Directory.CreateDirectory(dir);
            var mounts = MountPlanner.Plan(host, config, _volumes, createdVolumes);
            var parent = await _images.UnpackAsync(image, ct).ConfigureAwait(false);
            await _snapshots.PrepareAsync(snapshotKey, parent, ct).ConfigureAwait(false);

            var logDriver = host.LogConfig?.Type is { Length: > 0 } t ? t : _options.LogDriver;
            if (logDriver is not ("json-file" or "none" or "local"))
            {
                throw EngineException.Invalid($"failed to create container: logger: no log driver named '{logDriver}' is registered (Quai has json-file and none)");
            }
            host.LogConfig = new HostConfigLogConfig { Type = logDriver, Config = host.LogConfig?.Config ?? new Dictionary<string, string>(_options.LogOptions) };
            host.Runtime = runtime;
            host.NetworkMode = string.IsNullOrEmpty(host.NetworkMode) || host.NetworkMode == "default" ? "bridge" : host.NetworkMode;
            host.RestartPolicy ??= new RestartPolicy { Name = "no", MaximumRetryCount = 0 };
            if (string.IsNullOrEmpty(host.RestartPolicy.Name))
            {
                host.RestartPolicy.Name = "no";
            }

            var record = new ContainerRecord
            {
                Id = id,
                Name = name,
                Created = DateTimeOffset.UtcNow,
                Image = image.Id.ToString(),
                ImageName = request.Image!,
                Config = config,
                HostConfig = host,
                NetworkingConfig = request.NetworkingConfig,
                Mounts = mounts,
                Runtime = runtime,
                SnapshotKey = snapshotKey,
                Command = command,
                LogPath = logDriver == "none" ? "" : Path.Combine(dir, id + "-json.log"),
                HostnamePath = Path.Combine(dir, "hostname"),
                HostsPath = Path.Combine(dir, "hosts"),
                ResolvConfPath = Path.Combine(dir, "resolv.conf"),
            };
            _networks.PlanMembership(record);
            await CopyUpVolumesAsync(record, ct).ConfigureAwait(false);
            _store.Add(record);
            Publish(record, "create");
            return new ContainerCreateResponse { Id = id, Warnings = [] };
        }
        catch
        {
            await _snapshots.RemoveAsync(snapshotKey, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            foreach (var v in createdVolumes)
            {
                try
                {
                    _volumes.Remove(v, force: true);
                }
                catch (EngineException)
                {
                }
            }
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
            throw;
        }
    }

    private static void ValidateHostConfig(HostConfig host)
    {
        Security.SecurityOptions.Parse(host.SecurityOpt);
        if (host.Memory is > 0 and < 6 * 1024 * 1024)
        {
            throw EngineException.Invalid("Minimum memory limit allowed is 6MB");
        }
        if (host.MemorySwap is > 0 && host.Memory is > 0 && host.MemorySwap < host.Memory)
        {
            throw EngineException.Invalid("Minimum memoryswap limit should be larger than memory limit, see usage");
        }
        if (host.RestartPolicy is { Name: { Length: > 0 } policy } rp)
        {
            if (policy is not ("no" or "always" or "unless-stopped" or "on-failure"))
            {
                throw EngineException.Invalid($"invalid restart policy: unknown policy '{policy}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
            }
            if (rp.MaximumRetryCount is > 0 && policy != "on-failure")
            {
                throw EngineException.Invalid($"invalid restart policy: maximum retry count can only be used with 'on-failure'");
            }
        }
        if (host.NetworkMode is { } mode && mode.StartsWith("container:", StringComparison.Ordinal) && mode.Length == "container:".Length)
        {
            throw EngineException.Invalid("invalid network mode: container: needs a container name or ID");
        }
    }

    /// <summary>moby daemon/create.go mergeAndVerifyConfig: the image config fills what the request leaves empty.</summary>
    private static ContainerConfig MergeConfig(ContainerCreateRequest r, ImageContainerConfig? image, string id)
    {
        var cfg = new ContainerConfig
        {
            Hostname = string.IsNullOrEmpty(r.Hostname) ? id[..12] : r.Hostname,
            Domainname = r.Domainname ?? "",
            User = string.IsNullOrEmpty(r.User) ? image?.User ?? "" : r.User,
            AttachStdin = r.AttachStdin ?? false,
            AttachStdout = r.AttachStdout ?? false,
            AttachStderr = r.AttachStderr ?? false,
            ExposedPorts = new Dictionary<string, EmptyObject>(image?.ExposedPorts?.ToDictionary(k => k.Key, _ => EmptyObject.Instance) ?? []),
            Tty = r.Tty ?? false,
            OpenStdin = r.OpenStdin ?? false,
            StdinOnce = r.StdinOnce ?? false,
            Env = MergeEnv(image?.Env, r.Env),
            Cmd = r.Cmd,
            Healthcheck = r.Healthcheck,
            ArgsEscaped = null,
            Image = r.Image,
            Volumes = new Dictionary<string, EmptyObject>(image?.Volumes?.ToDictionary(k => k.Key, _ => EmptyObject.Instance) ?? []),
            WorkingDir = string.IsNullOrEmpty(r.WorkingDir) ? image?.WorkingDir ?? "" : r.WorkingDir,
            Entrypoint = r.Entrypoint,
            NetworkDisabled = r.NetworkDisabled,
            OnBuild = image?.OnBuild,
            Labels = new Dictionary<string, string>(image?.Labels ?? []),
            StopSignal = string.IsNullOrEmpty(r.StopSignal) ? image?.StopSignal : r.StopSignal,
            StopTimeout = r.StopTimeout,
            Shell = r.Shell ?? image?.Shell,
        };
        foreach (var p in r.ExposedPorts ?? [])
        {
            cfg.ExposedPorts[p.Key] = EmptyObject.Instance;
        }
        foreach (var v in r.Volumes ?? [])
        {
            cfg.Volumes[v.Key] = EmptyObject.Instance;
        }
        foreach (var (k, v) in r.Labels ?? [])
        {
            cfg.Labels[k] = v;
        }
        // moby daemon/commit.go merge(): with no entrypoint of its own the container takes the
        // image's command (when it has none) and entrypoint (when it did not clear it with
        // `--entrypoint ""`, sent as [""]).
        if (cfg.Entrypoint is [""])
        {
            cfg.Entrypoint = [];
        }
        if (cfg.Entrypoint is null or { Count: 0 })
        {
            if (cfg.Cmd is null or { Count: 0 })
            {
                cfg.Cmd = image?.Cmd;
            }
            cfg.Entrypoint ??= image?.Entrypoint;
        }
        if (cfg.Healthcheck is null && image?.Healthcheck is { } hc)
        {
            cfg.Healthcheck = new HealthConfig { Test = hc.Test, Interval = hc.Interval, Timeout = hc.Timeout, StartPeriod = hc.StartPeriod, StartInterval = hc.StartInterval, Retries = hc.Retries };
        }
        else if (cfg.Healthcheck is { } mine && image?.Healthcheck is { } theirs)
        {
            mine.Test ??= theirs.Test;
            mine.Interval = mine.Interval is > 0 ? mine.Interval : theirs.Interval;
            mine.Timeout = mine.Timeout is > 0 ? mine.Timeout : theirs.Timeout;
            mine.StartPeriod = mine.StartPeriod is > 0 ? mine.StartPeriod : theirs.StartPeriod;
            mine.Retries = mine.Retries is > 0 ? mine.Retries : theirs.Retries;
        }
        return cfg;
    }

    private static List<string> MergeEnv(List<string>? image, List<string>? request)
    {
        var result = new List<string>(image ?? []);
        foreach (var e in request ?? [])
        {
            var key = e.Split('=', 2)[0];
            result.RemoveAll(x => x.Split('=', 2)[0] == key);
            result.Add(e);
        }
        return result;
    }
}
