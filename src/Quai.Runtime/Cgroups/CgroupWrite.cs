namespace Quai.Runtime.Cgroups;

/// <summary>
/// One value to write into one cgroup file, as computed from OCI resources before any I/O.
/// <paramref name="Controller"/> is the controller the file belongs to ("memory", "cpu", ...), or
/// "" for the cgroup core files (cgroup.*).
/// </summary>
/// <param name="Controller">The controller owning <paramref name="File"/>, "" for core files.</param>
/// <param name="File">The file name inside the cgroup directory.</param>
/// <param name="Value">What to write, exactly.</param>
internal sealed record CgroupWrite(string Controller, string File, string Value)
{
    /// <summary>A setting the kernel may no longer support (v1 kmem): failure is a warning, not an error.</summary>
    public bool Optional { get; init; }

    /// <summary>When the kernel rejects this write, retry it after the following writes (v1 cfs period vs quota ordering).</summary>
    public bool RetryAfterNext { get; init; }
}
