namespace Quai.Runtime.Tests.Rootfs;

/// <summary>The same bundle and script under runc: what the container sees must be the same.</summary>
public sealed class RuncComparisonTests(StandardContainerFixture fixture) : IClassFixture<StandardContainerFixture>
{
    // Where Quai deliberately differs from runc 1.1: it sets linux.domainname (runtime-spec 1.2
    // config.md#domainname, which runc 1.1 ignores), and in hybrid cgroup mode it also mounts the
    // host's cgroup2 hierarchy at /sys/fs/cgroup/unified, as Docker's hosts expect.
    private static readonly HashSet<string> KnownDifferences = ["DOMAINNAME", "CGROUPS"];

    [Fact]
    public void Runc_sees_the_same_filesystem_as_quai()
    {
        using var bundle = StandardContainerFixture.Create();
        var runc = bundle.RunWithRunc();
        Assert.True(runc.ExitCode == 0, runc.ToString());
        string? Quai(string key) => fixture.Result.Values.GetValueOrDefault(key)?.Replace(fixture.Bundle.Path, "<bundle>", StringComparison.Ordinal);
        string? Runc(string key) => runc.Values.GetValueOrDefault(key)?.Replace(bundle.Path, "<bundle>", StringComparison.Ordinal);
        var differences = fixture.Result.Values.Keys.Union(runc.Values.Keys)
            .Where(k => !KnownDifferences.Contains(k) && Quai(k) != Runc(k))
            .Select(k => $"{k}: quai '{Quai(k)}' runc '{Runc(k)}'")
            .ToList();
        Assert.True(differences.Count == 0, string.Join("\n", differences));
        Assert.Equal(fixture.Result.Values.Count, runc.Values.Count);
    }
}
