namespace Quai.Linux.Capabilities;

/// <summary>A thread's capability sets as 64-bit masks (bit n = capability n).</summary>
/// <param name="Effective">The effective set: what the kernel checks.</param>
/// <param name="Permitted">The permitted set: the limit of the effective set.</param>
/// <param name="Inheritable">The inheritable set: kept across execve with file or ambient caps.</param>
public readonly record struct CapabilitySets(ulong Effective, ulong Permitted, ulong Inheritable);
