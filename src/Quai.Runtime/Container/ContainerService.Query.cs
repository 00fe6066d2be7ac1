using Quai.Oci.Runtime;
using Quai.Runtime.Store;

namespace Quai.Runtime.Container;

// state, list, ps, pause, resume, update.
public sealed partial class ContainerService
{
    /// <summary>`state`: the OCI state plus runc's rootfs, created, owner.</summary>
    public StateOutput State(string id)
    {
        var (record, status) = Load(id);
        return ToOutput(record, status);
    }

    /// <summary>`list`: every container under the root.</summary>
    public List<StateOutput> List()
    {
        var result = new List<StateOutput>();
        foreach (var id in _store.ListIds())
        {
            try
            {
                var (record, status) = Load(id);
                result.Add(ToOutput(record, status));
            }
            catch (RuntimeException)
            {
                // Deleted between listing and loading.
            }
        }
        return result;
    }

    /// <summary>`ps`: the pids in the container's cgroup.</summary>
    public IReadOnlyList<int> Pids(string id)
    {
        var (record, _) = Load(id);
        return OpenCgroup(record).GetPids();
    }

    /// <summary>`pause`: freezes the cgroup.</summary>
    public void Pause(string id)
    {
        var (record, status) = Load(id);
        if (status != ContainerStatus.Running && status != ContainerStatus.Created)
        {
            throw new RuntimeException($"cannot pause container {id}: it is {status}, not running");
        }
        OpenCgroup(record).Freeze();
    }

    /// <summary>`resume`: thaws the cgroup.</summary>
    public void Resume(string id)
    {
        var (record, status) = Load(id);
        if (status != ContainerStatus.Paused)
        {
            throw new RuntimeException($"cannot resume container {id}: it is {status}, not paused");
        }
        OpenCgroup(record).Thaw();
    }

    /// <summary>`update`: new cgroup limits.</summary>
    public void Update(string id, LinuxResources resources)
    {
        var (record, status) = Load(id);
        if (status == ContainerStatus.Stopped)
        {
            throw new RuntimeException($"cannot update container {id}: it has stopped");
        }
        OpenCgroup(record).Update(resources);
    }

    /// <summary>Go's time.RFC3339Nano for a UTC time: fractional seconds without trailing zeros, "Z".</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static StateOutput ToOutput(ContainerRecord record, string status) => new()
    {
        Id = record.Id,
        Pid = status == ContainerStatus.Stopped ? 0 : record.Pid,
        Status = status,
        Bundle = record.Bundle,
        Rootfs = record.Rootfs,
        Created = FormatTime(record.Created),
        Owner = record.Owner,
        Annotations = record.Annotations,
    };
}
