using System.Text.Json;
using Quai.Oci;
using Quai.Testing;

namespace Quai.Runtime.Tests.Conformance;

/// <summary>The commands that need no container: spec, features, --version.</summary>
public sealed class CliTests
{
    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Spec_writes_a_config_with_the_default_capabilities(string runtime)
    {
        Testing.Root.Require();
        var rt = RuntimeUnderTest.Get(runtime);
        using var dir = new TempDir("quai-conf-spec");
        rt.Invoke(["spec", "--bundle", dir.Path]).EnsureSuccess();
        var spec = JsonSerializer.Deserialize(File.ReadAllText(dir.Combine("config.json")), OciJsonContext.Default.Spec)!;
        Assert.NotNull(spec.Process);
        Assert.Equal("rootfs", spec.Root?.Path);
        var caps = spec.Process.Capabilities!;
        foreach (var set in new[] { caps.Bounding, caps.Effective, caps.Permitted })
        {
            Assert.Equal(OciBundle.DefaultCapabilities.Order(StringComparer.Ordinal), set!.Order(StringComparer.Ordinal));
        }
        Assert.Contains(spec.Linux!.Namespaces!, n => n.Type == "pid");
        Assert.Contains(spec.Linux.Namespaces!, n => n.Type == "mount");
    }

    [Theory]
    [MemberData(nameof(Runtimes.WithFeatures), MemberType = typeof(Runtimes))]
    public void Features_prints_parseable_json(string runtime)
    {
        var rt = RuntimeUnderTest.Get(runtime);
        var r = rt.Invoke(["features"]).EnsureSuccess();
        var f = JsonSerializer.Deserialize(r.Stdout, OciJsonContext.Default.Features)!;
        Assert.StartsWith("1.", f.OciVersionMax, StringComparison.Ordinal);
        Assert.Contains("poststop", f.Hooks!);
        Assert.Contains("pid", f.Linux!.Namespaces!);
        Assert.Contains("CAP_SYS_ADMIN", f.Linux.Capabilities!);
    }

    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Version_names_the_runtime_and_spec(string runtime)
    {
        var rt = RuntimeUnderTest.Get(runtime);
        var r = rt.Invoke(["--version"]).EnsureSuccess();
        var expected = runtime == "quai" ? "quai-runtime" : runtime;
        Assert.Contains($"{expected} version", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("spec: 1.", r.Stdout, StringComparison.Ordinal);
    }
}
