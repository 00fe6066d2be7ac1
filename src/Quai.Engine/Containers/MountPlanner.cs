using System.Globalization;
using Quai.Api.Models;
using Quai.Engine.Volumes;
using OciMount = Quai.Oci.Runtime.Mount;

namespace Quai.Engine.Containers;

/// <summary>
/// Turns `-v`/`--volume` binds, `--mount`, `--tmpfs` and the image's VOLUMEs into the container's
/// mount points (what inspect shows as Mounts), creating named and anonymous volumes on the way,
/// and later into the OCI mounts of config.json. Follows moby's volume/mounts parser.
/// </summary>
internal static class MountPlanner
{
    private static readonly HashSet<string> Propagations = ["shared", "rshared", "slave", "rslave", "private", "rprivate"];

    /// <summary>Plans the mounts at create; volumes that do not exist are created.</summary>
    public static List<MountPoint> Plan(HostConfig host, ContainerConfig config, VolumeService volumes, List<string> createdVolumes)
    {
        var result = new List<MountPoint>();
        void Add(MountPoint m)
        {
            var dest = NormalizeDestination(m.Destination!);
            if (result.Any(r => r.Destination == dest))
            {
                throw EngineException.Invalid($"Duplicate mount point: {dest}");
            }
            m.Destination = dest;
            result.Add(m);
        }

        foreach (var bind in host.Binds ?? [])
        {
            Add(ParseBind(bind, volumes, createdVolumes));
        }
        foreach (var m in host.Mounts ?? [])
        {
            Add(ParseMount(m, volumes, createdVolumes));
        }
        foreach (var (path, options) in host.Tmpfs ?? [])
        {
            Add(new MountPoint { Type = "tmpfs", Source = "", Destination = path, Mode = options, RW = !options.Split(',').Contains("ro"), Propagation = "" });
        }
        foreach (var path in (config.Volumes ?? []).Keys)
        {
            var dest = NormalizeDestination(path);
            if (result.Any(r => r.Destination == dest))
            {
                continue;
            }
            var v = volumes.Create(null, "local", null, null, anonymous: true);
            createdVolumes.Add(v.Name!);
            result.Add(new MountPoint { Type = "volume", Name = v.Name, Source = v.Mountpoint, Destination = dest, Driver = "local", Mode = "", RW = true, Propagation = "" });
        }
        return result;
    }

    private static string NormalizeDestination(string dest)
    {
        if (string.IsNullOrEmpty(dest) || !dest.StartsWith('/'))
        {
            throw EngineException.Invalid($"invalid mount config: mount path must be absolute: \"{dest}\"");
        }
        var clean = "/" + string.Join('/', dest.Split('/', StringSplitOptions.RemoveEmptyEntries));
        if (clean == "/")
        {
            throw EngineException.Invalid("invalid specification: destination can't be '/'");
        }
        return clean;
    }

    private static MountPoint ParseBind(string spec, VolumeService volumes, List<string> createdVolumes)
    {
        var parts = spec.Split(':');
        if (parts.Length is < 1 or > 3 || (parts.Length == 1 && !parts[0].StartsWith('/')))
        {
            if (parts.Length == 1)
            {
                // `-v /path` alone is an anonymous volume at /path; anything else is malformed.
                throw EngineException.Invalid($"invalid volume specification: '{spec}'");
            }
            throw EngineException.Invalid($"invalid volume specification: '{spec}'");
        }
        if (parts.Length == 1)
        {
            var anon = volumes.Create(null, "local", null, null, anonymous: true);
            createdVolumes.Add(anon.Name!);
            return new MountPoint { Type = "volume", Name = anon.Name, Source = anon.Mountpoint, Destination = parts[0], Driver = "local", Mode = "", RW = true, Propagation = "" };
        }
        var source = parts[0];
        var dest = parts[1];
        var mode = parts.Length == 3 ? parts[2] : "";
        var rw = true;
        var propagation = "";
        var copy = true;
        foreach (var o in mode.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (o)
            {
                case "ro": rw = false; break;
                case "rw": rw = true; break;
                case "z" or "Z": break; // SELinux relabel: accepted, no SELinux here.
                case "nocopy": copy = false; break;
                case var p when Propagations.Contains(p): propagation = p; break;
                default: throw EngineException.Invalid($"invalid mode: {o}");
            }
        }
        if (source.StartsWith('/'))
        {
            // docker creates a missing host directory for -v (but not for --mount).
            Directory.CreateDirectory(source);
            return new MountPoint { Type = "bind", Source = source, Destination = dest, Mode = mode, RW = rw, Propagation = propagation.Length == 0 ? "rprivate" : propagation };
        }
        var existed = volumes.Find(source) is not null;
        var v = volumes.Create(source, "local", null, null);
        if (!existed)
        {
            createdVolumes.Add(v.Name!);
        }
        return new MountPoint { Type = "volume", Name = v.Name, Source = v.Mountpoint, Destination = dest, Driver = "local", Mode = copy ? mode : mode, RW = rw, Propagation = "" };
    }

    private static MountPoint ParseMount(Mount m, VolumeService volumes, List<string> createdVolumes)
    {
        var target = m.Target ?? throw EngineException.Invalid("invalid mount config: Target must not be empty");
        var ro = m.ReadOnly == true;
        switch (m.Type)
        {
            case "bind":
                if (string.IsNullOrEmpty(m.Source))
                {
                    throw EngineException.Invalid("invalid mount config for type \"bind\": field Source must not be empty");
                }
                if (!Path.Exists(m.Source))
                {
                    throw EngineException.Invalid($"invalid mount config for type \"bind\": bind source path does not exist: {m.Source}");
                }
                return new MountPoint { Type = "bind", Source = m.Source, Destination = target, Mode = "", RW = !ro, Propagation = m.BindOptions?.Propagation is { Length: > 0 } p ? p : "rprivate" };
            case "volume":
                var existed = !string.IsNullOrEmpty(m.Source) && volumes.Find(m.Source) is not null;
                var v = volumes.Create(m.Source, m.VolumeOptions?.DriverConfig?.Name, m.VolumeOptions?.Labels, m.VolumeOptions?.DriverConfig?.Options, anonymous: string.IsNullOrEmpty(m.Source));
                if (!existed)
                {
                    createdVolumes.Add(v.Name!);
                }
                return new MountPoint { Type = "volume", Name = v.Name, Source = v.Mountpoint, Destination = target, Driver = "local", Mode = m.VolumeOptions?.NoCopy == true ? "nocopy" : "z", RW = !ro, Propagation = "" };
            case "tmpfs":
                var opts = new List<string>();
                if (m.TmpfsOptions?.SizeBytes is > 0 and var size)
                {
                    opts.Add("size=" + size.ToString(CultureInfo.InvariantCulture));
                }
                if (m.TmpfsOptions?.Mode is > 0 and var mode)
                {
                    opts.Add("mode=" + Convert.ToString(mode, 8));
                }
                if (ro)
                {
                    opts.Add("ro");
                }
                return new MountPoint { Type = "tmpfs", Source = "", Destination = target, Mode = string.Join(',', opts), RW = !ro, Propagation = "" };
            default:
                throw EngineException.Invalid($"invalid mount config: mount type \"{m.Type}\" is not supported (use bind, volume or tmpfs)");
        }
    }

    /// <summary>The OCI mounts for the planned mount points.</summary>
    public static IEnumerable<OciMount> ToOci(IEnumerable<MountPoint> mounts)
    {
        foreach (var m in mounts)
        {
            switch (m.Type)
            {
                case "tmpfs":
                    var options = new List<string> { "nosuid", "nodev", "noexec" };
                    foreach (var o in (m.Mode ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (o is "exec")
                        {
                            options.Remove("noexec");
                        }
                        else if (o is "suid")
                        {
                            options.Remove("nosuid");
                        }
                        else if (o is "dev")
                        {
                            options.Remove("nodev");
                        }
                        else
                        {
                            options.Add(o);
                        }
                    }
                    yield return new OciMount { Destination = m.Destination!, Type = "tmpfs", Source = "tmpfs", Options = options };
                    break;
                default:
                    var bindOptions = new List<string> { "rbind", m.Propagation is { Length: > 0 } p ? p : "rprivate" };
                    if (m.RW == false)
                    {
                        bindOptions.Add("ro");
                    }
                    yield return new OciMount { Destination = m.Destination!, Type = "bind", Source = m.Source, Options = bindOptions };
                    break;
            }
        }
    }
}
