namespace Quai.Runtime.Cgroups;

/// <summary>One block-device counter, e.g. (8, 0, "Read", 4096).</summary>
/// <param name="Major">Device major number.</param>
/// <param name="Minor">Device minor number.</param>
/// <param name="Op">"Read", "Write", "Sync", "Async", "Discard" or "Total" (v1 names; v2 rbytes/wbytes map to Read/Write).</param>
/// <param name="Value">The counter.</param>
public sealed record CgroupBlkioEntry(long Major, long Minor, string Op, ulong Value);
