using Quai.Testing;

namespace Quai.Runtime.Tests.Conformance;

/// <summary>
/// The runtime parameter of every conformance theory: runc and crun are the references, quai is
/// the runtime under development; a behaviour difference shows up as a failing case.
/// </summary>
public static class Runtimes
{
    /// <summary>runc, crun and quai.</summary>
    public static TheoryData<string> All => [.. RuntimeUnderTest.Names];

    /// <summary>
    /// Runtimes with the `features` command (runtime-spec features.md). crun 1.8.1 predates it
    /// ("unknown command features"); crun added it in 1.9.
    /// </summary>
    public static TheoryData<string> WithFeatures => ["runc", "quai"];

    /// <summary>
    /// Runtimes expected to refuse a process cwd of /proc/self/fd/N reaching an fd inherited
    /// from the runtime's caller (CVE-2024-21626). crun 1.8.1 does not: it chdirs through the
    /// inherited fd into the host directory before closing it at execve (found by this suite).
    /// </summary>
    public static TheoryData<string> ClosingInheritedFdsBeforeChdir => ["runc", "quai"];
}
