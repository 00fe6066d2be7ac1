using Quai.Oci.Runtime;

namespace Quai.Runtime.Cgroups;

internal sealed partial class V1Manager
{
    /// <summary>The v1 controllers Quai writes to; absence is only a debug note until a setting needs one.</summary>
    private static readonly string[] Known = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "hugetlb", "net_cls", "net_prio"];

    /// <summary>Writes <paramref name="resources"/>: v1 controllers here, hugetlb (when bound to v2) and unified keys on the cgroup2 side.</summary>
    internal void Apply(LinuxResources resources)
    {
        var v1 = resources;
        var hugetlbOnV2 = resources.HugepageLimits is { Count: > 0 } && Find("hugetlb") is null && unified is not null;
        if (resources.Unified is { Count: > 0 } || hugetlbOnV2)
        {
            if (unified is null)
            {
                throw new CgroupException("linux.resources.unified needs cgroup v2, but this host has only cgroup v1 hierarchies: express the settings with the structured fields (memory, cpu, ...) instead");
            }
            v1 = new LinuxResources
            {
                Devices = resources.Devices,
                Memory = resources.Memory,
                Cpu = resources.Cpu,
                Pids = resources.Pids,
                BlockIo = resources.BlockIo,
                HugepageLimits = hugetlbOnV2 ? null : resources.HugepageLimits,
                Network = resources.Network,
                Rdma = resources.Rdma,
            };
        }
        foreach (var controller in Known)
        {
            if (Find(controller) is null)
            {
                CgroupLog.ControllerSkipped(environment.Logger, controller);
            }
        }
        var writes = V1Resources.Convert(
            v1,
            (c, f) => Find(c) is { } h ? CgroupFiles.TryRead(h.Directory, f) : null,
            (c, f) => Find(c) is { } h && File.Exists(System.IO.Path.Combine(h.Directory, f)),
            environment.Logger);
        foreach (var w in writes)
        {
            if (Find(w.Controller) is null)
            {
                throw new CgroupException($"cannot set {w.File} = \"{w.Value}\": the {w.Controller} controller is not mounted on this host (no cgroup v1 hierarchy for it in /proc/self/mountinfo); mount it or drop the setting");
            }
        }
        CheckBeforeUpdate(resources.Memory);
        if (DevicesUnchanged(writes))
        {
            writes.RemoveAll(w => w.Controller == "devices");
        }
        CgroupWrite? retry = null;
        foreach (var w in writes)
        {
            var dir = Find(w.Controller)!.Directory;
            try
            {
                WriteFile(dir, w.File, w.Value);
            }
            catch (CgroupException e) when (w.Optional)
            {
                CgroupLog.SettingIgnored(environment.Logger, w.File, e.Message);
            }
            catch (CgroupException) when (w.RetryAfterNext)
            {
                retry = w;
                continue;
            }
            if (retry is not null)
            {
                WriteFile(Find(retry.Controller)!.Directory, retry.File, retry.Value);
                retry = null;
            }
        }
        if (hugetlbOnV2 || resources.Unified is { Count: > 0 })
        {
            unified!.Update(new LinuxResources { HugepageLimits = hugetlbOnV2 ? resources.HugepageLimits : null, Unified = resources.Unified });
        }
    }

    /// <summary>
    /// True when the device writes (deny "a", then allows only) would rebuild exactly the
    /// whitelist devices.list already shows. Rewriting it starts with denying everything, which
    /// a running container sees as a blip of EPERM on /dev/null (the problem runc's devices
    /// emulator exists for), so an update that repeats the same rules leaves them alone.
    /// </summary>
    private bool DevicesUnchanged(List<CgroupWrite> writes)
    {
        var devices = writes.Where(w => w.Controller == "devices").ToList();
        // Leading deny-alls ("a", or an explicit "a *:* rwm" rule), then only allows.
        var allows = devices.SkipWhile(w => w is { File: "devices.deny", Value: "a" or "a *:* rwm" }).ToList();
        if (devices.Count == 0 || allows.Count == devices.Count || Find("devices") is not { } h || allows.Any(w => w.File != "devices.allow"))
        {
            return false;
        }
        var current = CgroupFiles.TryRead(h.Directory, "devices.list");
        if (current is null)
        {
            return false;
        }
        var wanted = allows.Select(w => w.Value).ToHashSet(StringComparer.Ordinal);
        var actual = current.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        return wanted.SetEquals(actual) && !actual.Contains("a *:* rwm");
    }

    /// <summary>OCI memory.checkBeforeUpdate: refuse a limit below current usage instead of OOM-killing the container.</summary>
    private void CheckBeforeUpdate(LinuxMemory? memory)
    {
        if (memory is not { CheckBeforeUpdate: true, Limit: > 0 } || Find("memory") is not { } h)
        {
            return;
        }
        var usage = CgroupFiles.ParseLimit(CgroupFiles.TryRead(h.Directory, "memory.usage_in_bytes"));
        if (usage is { } u && u > (ulong)memory.Limit.Value)
        {
            throw new CgroupException($"memory limit {memory.Limit.Value} is below the current usage {u} of cgroup {h.Directory} (checkBeforeUpdate is set): raise the limit or free memory first");
        }
    }
}
