using System.Globalization;
using System.Formats.Tar;
using Quai.Api.Models;
using Quai.Images;
using Quai.Images.Layers;
using Quai.Images.Snapshots;
using Quai.Linux;
using Quai.Oci.Image;

namespace Quai.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// Runs <paramref name="action"/> on the container's root filesystem: the live mount while it
    /// runs (the shim mounted it), else its snapshot mounted for the duration and unmounted after.
    /// </summary>
    private async Task<T> WithRootfsAsync<T>(ContainerRecord c, Func<string, Task<T>> action, CancellationToken ct)
    {
        var rootfs = Path.Combine(_store.Dir(c.Id), "rootfs");
        using (await LockAsync(c.Id, ct).ConfigureAwait(false))
        {
            if (IsRunning(c) && MountInfo.ReadSelf().Any(m => m.MountPoint == rootfs))
            {
                return await action(rootfs).ConfigureAwait(false);
            }
            Directory.CreateDirectory(rootfs);
            var mounts = await RootfsMountsAsync(c, ct).ConfigureAwait(false);
            foreach (var m in mounts)
            {
                m.MountAt(rootfs);
            }
            try
            {
                return await action(rootfs).ConfigureAwait(false);
            }
            finally
            {
                MountSpec.Unmount(rootfs);
            }
        }
    }

    /// <summary>GET /containers/{id}/export: the whole filesystem as a tar.</summary>
    public Task ExportAsync(string nameOrId, Stream output, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        return WithRootfsAsync(c, async root => await LayerDiffer.WriteTreeAsync(root, output, ct).ConfigureAwait(false), ct);
    }

    /// <summary>GET /containers/{id}/changes: the writable layer against the image (A 1, C 0, D 2).</summary>
    public async Task<List<FilesystemChange>> ChangesAsync(string nameOrId, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        var upper = await _snapshots.FsPathAsync(c.SnapshotKey, ct).ConfigureAwait(false);
        var lowers = await LowerLayersAsync(c, ct).ConfigureAwait(false);
        var changes = new List<FilesystemChange>();
        void Walk(string dir, string rel)
        {
            foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
            {
                var path = rel + "/" + entry.Name;
                var inLower = lowers.Any(l => Path.Exists(Path.Combine(l, path.TrimStart('/'))));
                var st = DeviceNodes.Lstat(entry.FullName);
                var isWhiteout = (st.Mode & 0xF000) == DeviceNodes.S_IFCHR && st.DeviceNumber == 0;
                if (isWhiteout)
                {
                    changes.Add(new FilesystemChange { Path = path, Kind = 2 });
                    continue;
                }
                changes.Add(new FilesystemChange { Path = path, Kind = inLower ? 0 : 1 });
                if ((st.Mode & 0xF000) == 0x4000)
                {
                    Walk(entry.FullName, path);
                }
            }
        }
        Walk(upper, "");
        changes.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return changes;
    }

    /// <summary>The host path of <paramref name="path"/> in the container, honouring its mounts and containing symlinks.</summary>
    private static string ResolveInContainer(ContainerRecord c, string rootfs, string path)
    {
        var normalized = NormalizeContainerPath(path);
        var mount = c.Mounts.Where(m => m.Type is "volume" or "bind" && (normalized == m.Destination || normalized.StartsWith(m.Destination + "/", StringComparison.Ordinal)))
            .OrderByDescending(m => m.Destination!.Length).FirstOrDefault();
        var root = mount is null ? rootfs : mount.Source!;
        var rest = mount is null ? normalized : normalized[mount.Destination!.Length..];
        return ScopedPath.Resolve(root, rest);
    }

    /// <summary>HEAD /containers/{id}/archive: docker's path stat (name, size, mode, mtime, linkTarget).</summary>
    public Task<(string Name, long Size, uint Mode, DateTimeOffset Mtime, string LinkTarget)> StatPathAsync(string nameOrId, string path, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        return WithRootfsAsync(c, root =>
        {
            var host = ResolveInContainer(c, root, path);
            var info = new FileInfo(host);
            if (!info.Exists && !Directory.Exists(host) && info.LinkTarget is null)
            {
                throw new EngineException(EngineErrorKind.NotFound, $"Could not find the file {path} in container {nameOrId}");
            }
            var st = DeviceNodes.Lstat(host);
            var name = NormalizeContainerPath(path) == "/" ? "/" : Path.GetFileName(path.TrimEnd('/'));
            return Task.FromResult((name, (long)st.Size, GoFileMode(st.Mode), (DateTimeOffset)info.LastWriteTimeUtc, info.LinkTarget ?? ""));
        }, ct);
    }

    /// <summary>Go's os.FileMode bits that docker's stat header carries (type bits above the permissions).</summary>
    private static uint GoFileMode(uint mode)
    {
        var perm = mode & 0x1FF;
        var result = perm;
        switch (mode & 0xF000)
        {
            case 0x4000: result |= 1u << 31; break;
            case 0xA000: result |= 1u << 27; break;
            case 0x1000: result |= 1u << 25; break;
            case 0x2000: result |= (1u << 26) | (1u << 21); break;
            case 0x6000: result |= 1u << 26; break;
            case 0xC000: result |= 1u << 24; break;
        }
        if ((mode & 0x800) != 0)
        {
            result |= 1u << 23;
        }
        if ((mode & 0x400) != 0)
        {
            result |= 1u << 22;
        }
        if ((mode & 0x200) != 0)
        {
            result |= 1u << 20;
        }
        return result;
    }

    /// <summary>GET /containers/{id}/archive: a tar of the path (a file, or a directory with its name as the top entry).</summary>
    public Task GetArchiveAsync(string nameOrId, string path, Stream output, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        return WithRootfsAsync(c, async root =>
        {
            var host = ResolveInContainer(c, root, path);
            if (!Path.Exists(host))
            {
                throw new EngineException(EngineErrorKind.NotFound, $"Could not find the file {path} in container {nameOrId}");
            }
            var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
            await using (writer.ConfigureAwait(false))
            {
                // The root is archived as "/", "/bin", … and stat-named "/", as moby's
                // TarResourceRebase does: the CLI rebases names on the stat's name, and "." would
                // make `docker cp c:/ out` write to "out." instead of "out".
                var baseName = NormalizeContainerPath(path) == "/" ? "/" : Path.GetFileName(path.TrimEnd('/'));
                await WriteTreeAsync(writer, host, baseName, NormalizeContainerPath(path), VolumeMounts(c), ct).ConfigureAwait(false);
            }
            return 0;
        }, ct);
    }

    /// <summary>
    /// Writes <paramref name="hostPath"/> (at <paramref name="containerPath"/> in the container) and
    /// what is below it. A directory that is a volume or bind mount's destination is read from the
    /// mount's source: quaid sees the container's rootfs without the mounts the runtime made in the
    /// container's mount namespace, where docker's archive walks the container's view.
    /// </summary>
    private static async Task WriteTreeAsync(TarWriter writer, string hostPath, string entryName, string containerPath, IReadOnlyList<Quai.Api.Models.MountPoint> mounts, CancellationToken ct)
    {
        var st = DeviceNodes.Lstat(hostPath);
        var isDir = (st.Mode & 0xF000) == 0x4000;
        await writer.WriteEntryAsync(hostPath, isDir ? entryName.TrimEnd('/') + "/" : entryName, ct).ConfigureAwait(false);
        if (isDir)
        {
            foreach (var child in Directory.EnumerateFileSystemEntries(hostPath).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(child);
                var childPath = containerPath.TrimEnd('/') + "/" + name;
                var mounted = mounts.FirstOrDefault(m => m.Destination == childPath)?.Source;
                var source = mounted is not null && Path.Exists(mounted) ? mounted : child;
                await WriteTreeAsync(writer, source, entryName.TrimEnd('/') + "/" + name, childPath, mounts, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The container's volume and bind mounts (those <see cref="ResolveInContainer"/> and the archive walks follow).</summary>
    private static List<Quai.Api.Models.MountPoint> VolumeMounts(ContainerRecord c) =>
        [.. c.Mounts.Where(m => m.Type is "volume" or "bind" && !string.IsNullOrEmpty(m.Destination) && !string.IsNullOrEmpty(m.Source))];

    /// <summary>"/a//./b/" → "/a/b"; "" and "." → "/" (".." is left for the applier to refuse).</summary>
    private static string NormalizeContainerPath(string path) =>
        "/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != "."));

    /// <summary>PUT /containers/{id}/archive: extracts a tar into the directory <paramref name="path"/>, contained in it.</summary>
    public Task PutArchiveAsync(string nameOrId, string path, Stream tar, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        if (c.HostConfig.ReadonlyRootfs == true && !c.Mounts.Any(m => path.StartsWith(m.Destination!, StringComparison.Ordinal) && m.RW != false))
        {
            throw new EngineException(EngineErrorKind.Forbidden, "container rootfs is marked read-only");
        }
        return WithRootfsAsync(c, async root =>
        {
            var host = ResolveInContainer(c, root, path);
            if (!Directory.Exists(host))
            {
                throw new EngineException(EngineErrorKind.NotFound, $"Could not find the file {path} in container {nameOrId}");
            }
            var target = NormalizeContainerPath(path);
            var below = VolumeMounts(c).Where(m => m.Destination != target && IsUnder(m.Destination!, target)).ToList();
            var relative = new RelativeTarStream(tar);
            await using (relative.ConfigureAwait(false))
            {
                try
                {
                    if (below.Count == 0)
                    {
                        await LayerApplier.ApplyAsync(relative, LayerCompression.None, host, new LayerApplyOptions { OverlayWhiteouts = false }, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        await ExtractAcrossMountsAsync(relative, target, host, below, _store.Dir(c.Id), ct).ConfigureAwait(false);
                    }
                }
                catch (ImageException e) when (e.Kind == ImageErrorKind.InvalidArgument)
                {
                    // dockerd answers 400 for an archive it cannot unpack.
                    throw EngineException.Invalid(e.Message);
                }
                catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
                {
                    throw EngineException.Invalid($"the archive is not a valid tar archive: {e.Message}");
                }
            }
            return 0;
        }, ct);
    }

    private static bool IsUnder(string path, string directory) =>
        directory == "/" ? path != "/" : path.StartsWith(directory + "/", StringComparison.Ordinal);

    /// <summary>
    /// PUT of an archive into <paramref name="target"/> when volumes or bind mounts lie below it:
    /// each entry goes where the container sees it, into the deepest mount that holds its path or
    /// else the rootfs (docker unpacks inside the container's mount namespace, which quaid cannot
    /// enter from a multithreaded process). The entries are sorted into one tar per destination,
    /// spooled under the container's directory, then each is applied to its own root. A read-only
    /// mount refuses the copy, as docker's does; a hard link cannot cross from one root to another.
    /// </summary>
    private static async Task ExtractAcrossMountsAsync(Stream tar, string target, string rootHost, List<Quai.Api.Models.MountPoint> mounts, string containerDir, CancellationToken ct)
    {
        var spool = Path.Combine(containerDir, "archive-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(spool);
        try
        {
            // Destination index 0 is the rootfs (at target); 1.. are the mounts, deepest first.
            var ordered = mounts.OrderByDescending(m => m.Destination!.Length).ToList();
            var roots = new List<(string Host, string ContainerPath, string File)> { (rootHost, target, Path.Combine(spool, "0.tar")) };
            foreach (var m in ordered)
            {
                // A bind-mounted file: its entry is written as the file's name in the source's directory.
                var isFile = File.Exists(m.Source);
                roots.Add((isFile ? Path.GetDirectoryName(m.Source!)! : m.Source!, m.Destination!, Path.Combine(spool, roots.Count.ToString(CultureInfo.InvariantCulture) + ".tar")));
            }
            var writers = new TarWriter?[roots.Count];
            var streams = new FileStream?[roots.Count];
            try
            {
                (int Index, string Name) Route(string name)
                {
                    var full = NormalizeContainerPath(target.TrimEnd('/') + "/" + name);
                    for (var i = 0; i < ordered.Count; i++)
                    {
                        var m = ordered[i];
                        if (full == m.Destination || IsUnder(full, m.Destination!))
                        {
                            if (m.RW == false)
                            {
                                throw new EngineException(EngineErrorKind.Forbidden, $"mounted volume is marked read-only: cannot copy {full} into {m.Destination}");
                            }
                            var rest = full[m.Destination!.Length..].TrimStart('/');
                            if (rest.Length == 0 && File.Exists(m.Source))
                            {
                                rest = Path.GetFileName(m.Source!);
                            }
                            return (i + 1, rest.Length == 0 ? "." : rest);
                        }
                    }
                    var own = full == target ? "." : full[(target == "/" ? 1 : target.Length + 1)..];
                    return (0, own);
                }

                using var reader = new TarReader(tar, leaveOpen: true);
                while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
                {
                    var (index, name) = Route(entry.Name);
                    var copy = new PaxTarEntry(entry) { Name = entry.EntryType == TarEntryType.Directory ? name.TrimEnd('/') + "/" : name };
                    if (entry.EntryType == TarEntryType.HardLink)
                    {
                        var (linkIndex, linkName) = Route(entry.LinkName);
                        if (linkIndex != index)
                        {
                            throw EngineException.Invalid($"cannot copy {entry.Name}: a hard link to {entry.LinkName} would cross a volume or bind mount");
                        }
                        copy.LinkName = linkName;
                    }
                    if (writers[index] is null)
                    {
                        streams[index] = new FileStream(roots[index].File, FileMode.CreateNew, FileAccess.Write);
                        writers[index] = new TarWriter(streams[index]!, TarEntryFormat.Pax, leaveOpen: true);
                    }
                    await writers[index]!.WriteEntryAsync(copy, ct).ConfigureAwait(false);
                }
            }
            finally
            {
                for (var i = 0; i < writers.Length; i++)
                {
                    if (writers[i] is { } w)
                    {
                        await w.DisposeAsync().ConfigureAwait(false);
                    }
                    if (streams[i] is { } f)
                    {
                        await f.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
            // The rootfs first, then the mounts from the shallowest, as unpacking in order would.
            foreach (var i in Enumerable.Range(0, roots.Count).OrderBy(i => i == 0 ? -1 : roots[i].ContainerPath.Length))
            {
                if (!File.Exists(roots[i].File))
                {
                    continue;
                }
                var spooled = File.OpenRead(roots[i].File);
                await using (spooled.ConfigureAwait(false))
                {
                    await LayerApplier.ApplyAsync(spooled, LayerCompression.None, roots[i].Host, new LayerApplyOptions { OverlayWhiteouts = false }, ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Directory.Delete(spool, recursive: true);
        }
    }

    /// <summary>GET /containers/{id}/top: the host's `ps` (with ps_args) restricted to the container's processes.</summary>
    public async Task<ContainerTopResponse> TopAsync(string nameOrId, string? psArgs, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        if (!IsRunning(c))
        {
            throw EngineException.Conflict($"container {c.Id} is not running");
        }
        var pids = (await RuntimeOf(c).PidsAsync(c.Id, ct).ConfigureAwait(false)).ToHashSet();
        var psi = new System.Diagnostics.ProcessStartInfo("ps") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string.IsNullOrWhiteSpace(psArgs) ? "-ef" : psArgs).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            psi.ArgumentList.Add(a);
        }
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
        var error = await p.StandardError.ReadToEndAsync(ct).ConfigureAwait(false);
        await p.WaitForExitAsync(ct).ConfigureAwait(false);
        if (p.ExitCode != 0)
        {
            throw EngineException.Invalid($"Error running ps: {error.Trim()}");
        }
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var titles = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var pidColumn = titles.IndexOf("PID");
        if (pidColumn < 0)
        {
            throw EngineException.Invalid("Couldn't find PID field in ps output");
        }
        var processes = new List<List<string>>();
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < titles.Count || !int.TryParse(fields[pidColumn], out var pid) || !pids.Contains(pid))
            {
                continue;
            }
            // The last column (CMD) keeps its spaces.
            var row = fields.Take(titles.Count - 1).ToList();
            row.Add(string.Join(' ', fields.Skip(titles.Count - 1)));
            processes.Add(row);
        }
        return new ContainerTopResponse { Titles = titles, Processes = processes };
    }

    /// <summary>POST /containers/{id}/update: resources now (runtime update) and the restart policy.</summary>
    public async Task<ContainerUpdateResponse> UpdateAsync(string nameOrId, ContainerUpdateRequest update, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        var h = c.HostConfig;
        h.Memory = update.Memory is > 0 ? update.Memory : h.Memory;
        h.MemorySwap = update.MemorySwap is not null and not 0 ? update.MemorySwap : h.MemorySwap;
        h.MemoryReservation = update.MemoryReservation is > 0 ? update.MemoryReservation : h.MemoryReservation;
        h.CpuShares = update.CpuShares is > 0 ? update.CpuShares : h.CpuShares;
        h.CpuPeriod = update.CpuPeriod is > 0 ? update.CpuPeriod : h.CpuPeriod;
        h.CpuQuota = update.CpuQuota is > 0 ? update.CpuQuota : h.CpuQuota;
        h.NanoCpus = update.NanoCpus is > 0 ? update.NanoCpus : h.NanoCpus;
        h.CpusetCpus = string.IsNullOrEmpty(update.CpusetCpus) ? h.CpusetCpus : update.CpusetCpus;
        h.CpusetMems = string.IsNullOrEmpty(update.CpusetMems) ? h.CpusetMems : update.CpusetMems;
        h.PidsLimit = update.PidsLimit is not null and not 0 ? update.PidsLimit : h.PidsLimit;
        h.BlkioWeight = update.BlkioWeight is > 0 ? update.BlkioWeight : h.BlkioWeight;
        if (update.RestartPolicy is { Name: { Length: > 0 } })
        {
            if (h.AutoRemove == true && update.RestartPolicy.Name != "no")
            {
                throw EngineException.Invalid("Restart policy cannot be updated because AutoRemove is enabled for the container");
            }
            h.RestartPolicy = update.RestartPolicy;
        }
        if (IsRunning(c))
        {
            var spec = SpecBuilder.Build(c, new SpecBuilder.Inputs(new UserResolver.Resolved(0, 0, [], "/"), null, false, "", null));
            await RuntimeOf(c).UpdateAsync(c.Id, spec.Linux!.Resources!, ct).ConfigureAwait(false);
        }
        _store.Save(c);
        Publish(c, "update");
        return new ContainerUpdateResponse { Warnings = [] };
    }

    /// <summary>The container's writable layer as a tar (for commit); running containers are paused meanwhile if asked.</summary>
    public async Task<(string UpperDir, ContainerRecord Container)> CommitSourceAsync(string nameOrId, CancellationToken ct)
    {
        var c = _store.Get(nameOrId);
        return (await _snapshots.FsPathAsync(c.SnapshotKey, ct).ConfigureAwait(false), c);
    }

    /// <summary>One stats sample (GET /containers/{id}/stats); <paramref name="previous"/> fills precpu_stats.</summary>
    public ContainerStatsResponse Stats(string nameOrId, ContainerStatsResponse? previous)
    {
        var c = _store.Get(nameOrId);
        if (!IsRunning(c))
        {
            return new ContainerStatsResponse
            {
                Name = "/" + c.Name,
                Id = c.Id,
                Read = "0001-01-01T00:00:00Z",
                Preread = "0001-01-01T00:00:00Z",
                CpuStats = new ContainerCPUStats { CpuUsage = new ContainerCPUUsage { TotalUsage = 0 } },
                PrecpuStats = new ContainerCPUStats { CpuUsage = new ContainerCPUUsage { TotalUsage = 0 } },
                MemoryStats = new ContainerMemoryStats(),
                PidsStats = new ContainerPidsStats(),
                BlkioStats = new ContainerBlkioStats(),
            };
        }
        return ContainerStats.Read(c, _options.CgroupParent.TrimEnd('/') + "/" + c.Id, previous);
    }
}
