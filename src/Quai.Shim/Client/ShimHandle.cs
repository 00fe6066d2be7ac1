namespace Quai.Shim.Client;

/// <summary>A started shim: the process it supervises and where to reach it.</summary>
/// <param name="Pid">The container's init (or exec process) pid.</param>
/// <param name="StateDir">The shim's state directory (shim.sock, exit.json).</param>
/// <param name="ShimPid">The shim's own pid (from shim.pid), or 0 if unknown.</param>
public sealed record ShimHandle(int Pid, string StateDir, int ShimPid);
