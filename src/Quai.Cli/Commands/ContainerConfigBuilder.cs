using System.Globalization;
using System.Text.Json.Nodes;
using Quai.Cli.Formatting;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>
/// Turns run/create flags into the body of POST /containers/create: Config fields at the top,
/// HostConfig and NetworkingConfig nested (Docker Engine API ContainerCreateRequest).
/// </summary>
internal static class ContainerConfigBuilder
{
    /// <summary>Builds the create body; <paramref name="image"/> and <paramref name="cmd"/> are the positionals.</summary>
    public static JsonObject Build(CliContext ctx, ParsedArgs f, string image, IReadOnlyList<string> cmd, bool detach)
    {
        var tty = f.Bool("tty");
        var interactive = f.Bool("interactive");
        var attach = f.List("attach").Select(a => a.ToLowerInvariant()).ToList();
        foreach (var a in attach)
        {
            if (a is not ("stdin" or "stdout" or "stderr"))
            {
                throw new CliException($"invalid argument \"{a}\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR", 125);
            }
        }
        bool attachStdin, attachStdout, attachStderr;
        if (detach)
        {
            attachStdin = attachStdout = attachStderr = false;
        }
        else if (attach.Count > 0)
        {
            attachStdin = attach.Contains("stdin");
            attachStdout = attach.Contains("stdout");
            attachStderr = attach.Contains("stderr");
        }
        else
        {
            attachStdin = interactive;
            attachStdout = attachStderr = true;
        }

        var env = new JsonArray();
        foreach (var file in f.List("env-file"))
        {
            foreach (var e in Helpers.ReadEnvFile(ctx, file))
            {
                env.Add((JsonNode?)(e));
            }
        }
        foreach (var e in f.List("env"))
        {
            if (e.Contains('=', StringComparison.Ordinal))
            {
                env.Add((JsonNode?)(e));
            }
            else if (ctx.Env(e) is { } v)
            {
                env.Add((JsonNode?)(e + "=" + v));
            }
        }

        var labels = new JsonObject();
        foreach (var file in f.List("label-file"))
        {
            foreach (var l in File.ReadAllLines(file).Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')))
            {
                AddKv(labels, l);
            }
        }
        foreach (var l in f.List("label"))
        {
            AddKv(labels, l);
        }

        var exposed = new JsonObject();
        var bindings = new JsonObject();
        foreach (var e in f.List("expose"))
        {
            exposed[e.Contains('/', StringComparison.Ordinal) ? e : e + "/tcp"] = new JsonObject();
        }
        foreach (var p in f.List("publish"))
        {
            AddPortBinding(p, exposed, bindings);
        }

        var volumes = new JsonObject();
        var binds = new JsonArray();
        foreach (var v in f.List("volume"))
        {
            var parts = v.Split(':');
            if (parts.Length == 1)
            {
                volumes[v] = new JsonObject();
            }
            else
            {
                binds.Add((JsonNode?)(v));
            }
        }

        var config = new JsonObject
        {
            ["Hostname"] = f.Str("hostname", ""),
            ["Domainname"] = f.Str("domainname", ""),
            ["User"] = f.Str("user", ""),
            ["AttachStdin"] = attachStdin,
            ["AttachStdout"] = attachStdout,
            ["AttachStderr"] = attachStderr,
            ["Tty"] = tty,
            ["OpenStdin"] = interactive,
            ["StdinOnce"] = interactive && attachStdin,
            ["Env"] = env.Count == 0 ? null : env,
            ["Cmd"] = cmd.Count == 0 ? null : new JsonArray([.. cmd.Select(c => (JsonNode?)c)]),
            ["Image"] = image,
            ["Volumes"] = volumes,
            ["WorkingDir"] = f.Str("workdir", ""),
            ["Entrypoint"] = f.Str("entrypoint") is { } ep ? new JsonArray(ep) : null,
            ["Labels"] = labels,
        };
        if (exposed.Count > 0)
        {
            config["ExposedPorts"] = exposed;
        }
        if (f.Str("stop-signal") is { } stopSignal)
        {
            config["StopSignal"] = stopSignal;
        }
        if (f.Has("stop-timeout"))
        {
            config["StopTimeout"] = f.Int("stop-timeout", 0);
        }
        if (f.Str("mac-address") is { } mac)
        {
            config["MacAddress"] = mac;
        }
        if (Healthcheck(f) is { } health)
        {
            config["Healthcheck"] = health;
        }
        config["HostConfig"] = HostConfig(ctx, f, binds, bindings);
        var network = f.Str("network") ?? f.Str("net") ?? "default";
        var endpoint = new JsonObject();
        if (f.List("network-alias").Count > 0)
        {
            endpoint["Aliases"] = new JsonArray([.. f.List("network-alias").Select(a => (JsonNode?)a)]);
        }
        if (f.Str("ip") is { } ip)
        {
            endpoint["IPAMConfig"] = new JsonObject { ["IPv4Address"] = ip };
        }
        config["NetworkingConfig"] = new JsonObject { ["EndpointsConfig"] = new JsonObject { [network] = endpoint } };
        return config;
    }

    private static JsonObject HostConfig(CliContext ctx, ParsedArgs f, JsonArray binds, JsonObject bindings)
    {
        var restart = f.Str("restart", "no")!;
        var restartName = restart;
        long maxRetry = 0;
        if (restart.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
        {
            restartName = restart[..colon];
            maxRetry = long.Parse(restart[(colon + 1)..], CultureInfo.InvariantCulture);
        }
        if (restartName is not ("no" or "always" or "unless-stopped" or "on-failure"))
        {
            throw new CliException($"invalid restart policy '{restartName}'", 125);
        }
        if (f.Bool("rm") && restartName != "no")
        {
            throw new CliException("Conflicting options: --restart and --rm", 125);
        }
        var logOpts = new JsonObject();
        foreach (var o in f.List("log-opt"))
        {
            AddKv(logOpts, o);
        }
        var h = new JsonObject
        {
            ["Binds"] = binds.Count == 0 ? null : binds,
            ["ContainerIDFile"] = f.Str("cidfile", ""),
            ["LogConfig"] = new JsonObject { ["Type"] = f.Str("log-driver", ""), ["Config"] = logOpts },
            ["NetworkMode"] = f.Str("network") ?? f.Str("net") ?? "default",
            ["PortBindings"] = bindings,
            ["RestartPolicy"] = new JsonObject { ["Name"] = restartName, ["MaximumRetryCount"] = maxRetry },
            ["AutoRemove"] = f.Bool("rm"),
            ["CapAdd"] = List(f.List("cap-add")),
            ["CapDrop"] = List(f.List("cap-drop")),
            ["Dns"] = new JsonArray([.. f.List("dns").Select(x => (JsonNode?)x)]),
            ["DnsOptions"] = new JsonArray([.. f.List("dns-option").Select(x => (JsonNode?)x)]),
            ["DnsSearch"] = new JsonArray([.. f.List("dns-search").Select(x => (JsonNode?)x)]),
            ["ExtraHosts"] = List(f.List("add-host").Select(a => a.Replace('=', ':')).ToList()),
            ["GroupAdd"] = List(f.List("group-add")),
            ["IpcMode"] = f.Str("ipc", ""),
            ["PidMode"] = f.Str("pid", ""),
            ["UTSMode"] = f.Str("uts", ""),
            ["UsernsMode"] = f.Str("userns", ""),
            ["CgroupnsMode"] = f.Str("cgroupns", ""),
            ["Privileged"] = f.Bool("privileged"),
            ["PublishAllPorts"] = f.Bool("publish-all"),
            ["ReadonlyRootfs"] = f.Bool("read-only"),
            ["SecurityOpt"] = List(f.List("security-opt")),
            ["VolumesFrom"] = List(f.List("volumes-from")),
            ["CpuShares"] = f.Int("cpu-shares", 0),
            ["Memory"] = Bytes(f, "memory"),
            ["MemoryReservation"] = Bytes(f, "memory-reservation"),
            ["MemorySwap"] = f.Str("memory-swap") == "-1" ? -1 : Bytes(f, "memory-swap"),
            ["NanoCpus"] = f.Str("cpus") is { } cpus ? (long)(double.Parse(cpus, CultureInfo.InvariantCulture) * 1e9) : 0,
            ["CpusetCpus"] = f.Str("cpuset-cpus", ""),
            ["CpusetMems"] = f.Str("cpuset-mems", ""),
            ["OomKillDisable"] = f.Bool("oom-kill-disable"),
            ["OomScoreAdj"] = f.Int("oom-score-adj", 0),
            ["ShmSize"] = Bytes(f, "shm-size"),
            ["Devices"] = new JsonArray([.. f.List("device").Select(Device)]),
            ["Ulimits"] = new JsonArray([.. f.List("ulimit").Select(Ulimit)]),
        };
        if (f.Has("pids-limit"))
        {
            h["PidsLimit"] = f.Int("pids-limit", 0);
        }
        if (f.Bool("init"))
        {
            h["Init"] = true;
        }
        if (f.Str("runtime") is { } runtime)
        {
            h["Runtime"] = runtime;
        }
        var tmpfs = new JsonObject();
        foreach (var t in f.List("tmpfs"))
        {
            var c = t.IndexOf(':', StringComparison.Ordinal);
            tmpfs[c < 0 ? t : t[..c]] = c < 0 ? "" : t[(c + 1)..];
        }
        if (tmpfs.Count > 0)
        {
            h["Tmpfs"] = tmpfs;
        }
        var sysctls = new JsonObject();
        foreach (var s in f.List("sysctl"))
        {
            AddKv(sysctls, s);
        }
        if (sysctls.Count > 0)
        {
            h["Sysctls"] = sysctls;
        }
        var mounts = new JsonArray([.. f.List("mount").Select(Mount)]);
        if (mounts.Count > 0)
        {
            h["Mounts"] = mounts;
        }
        _ = ctx;
        return h;
    }

    private static JsonArray? List(IReadOnlyList<string> values) =>
        values.Count == 0 ? null : new JsonArray([.. values.Select(v => (JsonNode?)v)]);

    private static long Bytes(ParsedArgs f, string name)
    {
        var s = f.Str(name);
        if (s is null)
        {
            return 0;
        }
        try
        {
            return Units.RamInBytes(s);
        }
        catch (FormatException e)
        {
            throw new CliException($"invalid argument \"{s}\" for \"--{name}\" flag: {e.Message}", 125);
        }
    }

    private static void AddKv(JsonObject target, string kv)
    {
        var eq = kv.IndexOf('=', StringComparison.Ordinal);
        target[eq < 0 ? kv : kv[..eq]] = eq < 0 ? "" : kv[(eq + 1)..];
    }

    /// <summary>-p [ip:][hostPort:]containerPort[/proto] into ExposedPorts and PortBindings.</summary>
    internal static void AddPortBinding(string spec, JsonObject exposed, JsonObject bindings)
    {
        var proto = "tcp";
        var slash = spec.LastIndexOf('/');
        if (slash >= 0)
        {
            proto = spec[(slash + 1)..];
            spec = spec[..slash];
        }
        string ip = "", hostPort = "", containerPort;
        if (spec.StartsWith('['))
        {
            var close = spec.IndexOf(']', StringComparison.Ordinal);
            ip = spec[1..close];
            spec = spec[(close + 2)..];
        }
        var parts = spec.Split(':');
        switch (parts.Length)
        {
            case 1:
                containerPort = parts[0];
                break;
            case 2:
                hostPort = parts[0];
                containerPort = parts[1];
                break;
            case 3:
                ip = parts[0];
                hostPort = parts[1];
                containerPort = parts[2];
                break;
            default:
                throw new CliException($"invalid argument \"{spec}\" for \"-p, --publish\" flag: invalid port format", 125);
        }
        var (cStart, cEnd) = Range(containerPort);
        var (hStart, hEnd) = hostPort.Length == 0 ? (0, -1) : Range(hostPort);
        for (var p = cStart; p <= cEnd; p++)
        {
            var key = $"{p}/{proto}";
            exposed[key] = new JsonObject();
            var hp = hostPort.Length == 0 ? "" : hEnd > hStart && hEnd - hStart == cEnd - cStart ? (hStart + p - cStart).ToString(CultureInfo.InvariantCulture) : hostPort;
            if (bindings[key] is not JsonArray list)
            {
                bindings[key] = list = [];
            }
            list.Add((JsonNode?)(new JsonObject { ["HostIp"] = ip, ["HostPort"] = hp }));
        }

        static (int, int) Range(string s)
        {
            var dash = s.IndexOf('-', StringComparison.Ordinal);
            try
            {
                return dash < 0
                    ? (int.Parse(s, CultureInfo.InvariantCulture), int.Parse(s, CultureInfo.InvariantCulture))
                    : (int.Parse(s[..dash], CultureInfo.InvariantCulture), int.Parse(s[(dash + 1)..], CultureInfo.InvariantCulture));
            }
            catch (FormatException)
            {
                throw new CliException($"invalid containerPort: {s}", 125);
            }
        }
    }

    private static JsonNode Device(string spec)
    {
        var parts = spec.Split(':');
        return new JsonObject
        {
            ["PathOnHost"] = parts[0],
            ["PathInContainer"] = parts.Length > 1 && parts[1].StartsWith('/') ? parts[1] : parts[0],
            ["CgroupPermissions"] = parts.Length == 3 ? parts[2] : parts.Length == 2 && !parts[1].StartsWith('/') ? parts[1] : "rwm",
        };
    }

    private static JsonNode Ulimit(string spec)
    {
        var eq = spec.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new CliException($"invalid argument \"{spec}\" for \"--ulimit\" flag: invalid ulimit argument: {spec}", 125);
        }
        var values = spec[(eq + 1)..].Split(':');
        var soft = long.Parse(values[0], CultureInfo.InvariantCulture);
        var hard = values.Length > 1 ? long.Parse(values[1], CultureInfo.InvariantCulture) : soft;
        return new JsonObject { ["Name"] = spec[..eq], ["Hard"] = hard, ["Soft"] = soft };
    }

    /// <summary>--mount type=bind,source=/a,target=/b,readonly (docker's mount option syntax).</summary>
    internal static JsonNode Mount(string spec)
    {
        var m = new JsonObject { ["Type"] = "volume" };
        foreach (var field in spec.Split(','))
        {
            var eq = field.IndexOf('=', StringComparison.Ordinal);
            var key = (eq < 0 ? field : field[..eq]).ToLowerInvariant();
            var value = eq < 0 ? "true" : field[(eq + 1)..];
            switch (key)
            {
                case "type": m["Type"] = value; break;
                case "source" or "src": m["Source"] = value; break;
                case "target" or "destination" or "dst": m["Target"] = value; break;
                case "readonly" or "ro": m["ReadOnly"] = value is "true" or "1"; break;
                case "consistency": m["Consistency"] = value; break;
                case "bind-propagation": m["BindOptions"] = new JsonObject { ["Propagation"] = value }; break;
                case "volume-nocopy": m["VolumeOptions"] = new JsonObject { ["NoCopy"] = value is "true" or "1" }; break;
                case "tmpfs-size": m["TmpfsOptions"] = new JsonObject { ["SizeBytes"] = Units.RamInBytes(value) }; break;
                case "tmpfs-mode":
                    var t = m["TmpfsOptions"] as JsonObject ?? [];
                    t["Mode"] = Convert.ToInt32(value, 8);
                    m["TmpfsOptions"] = t;
                    break;
                default:
                    throw new CliException($"invalid argument \"{spec}\" for \"--mount\" flag: unexpected key '{key}' in '{field}'", 125);
            }
        }
        if (m["Target"] is null)
        {
            throw new CliException($"invalid argument \"{spec}\" for \"--mount\" flag: target is required", 125);
        }
        return m;
    }

    private static JsonObject? Healthcheck(ParsedArgs f)
    {
        if (f.Bool("no-healthcheck"))
        {
            return new JsonObject { ["Test"] = new JsonArray("NONE") };
        }
        if (!f.Has("health-cmd") && !f.Has("health-interval") && !f.Has("health-timeout") && !f.Has("health-retries") && !f.Has("health-start-period"))
        {
            return null;
        }
        var h = new JsonObject();
        if (f.Str("health-cmd") is { } cmd)
        {
            h["Test"] = new JsonArray("CMD-SHELL", cmd);
        }
        h["Interval"] = f.Str("health-interval") is { } i ? Helpers.GoDurationNanos(i) : 0;
        h["Timeout"] = f.Str("health-timeout") is { } t ? Helpers.GoDurationNanos(t) : 0;
        h["StartPeriod"] = f.Str("health-start-period") is { } s ? Helpers.GoDurationNanos(s) : 0;
        h["Retries"] = f.Int("health-retries", 0);
        return h;
    }
}
