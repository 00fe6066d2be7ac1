using System.Text.Json;
using Quai.Oci;
using Quai.Oci.Runtime;
using Quai.Runtime.Cli;
using Quai.Runtime.Container;
using Quai.Testing;

namespace Quai.Runtime.Tests.Cli;

public class DefaultSpecTests
{
    [Fact]
    public void Matches_runcs_defaults()
    {
        var spec = DefaultSpec.Create(rootless: false);
        var process = spec.Process!;
        Assert.True(process.Terminal);
        Assert.Equal(["sh"], process.Args);
        Assert.Equal(["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"], process.Capabilities!.Bounding);
        Assert.Equal(process.Capabilities.Bounding, process.Capabilities.Effective);
        Assert.True(process.NoNewPrivileges);
        Assert.True(spec.Root!.Readonly);
        Assert.Equal(["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"], spec.Mounts!.Select(m => m.Destination));
        Assert.Contains("/proc/kcore", spec.Linux!.MaskedPaths!);
        Assert.Contains("/proc/sys", spec.Linux.ReadonlyPaths!);
        Assert.Equal(["pid", "network", "ipc", "uts", "mount", "cgroup"], spec.Linux.Namespaces!.Select(n => n.Type));
        Assert.False(spec.Linux.Resources!.Devices![0].Allow);
    }

    [Fact]
    public void Rootless_drops_the_network_namespace_and_maps_the_user()
    {
        var spec = DefaultSpec.Create(rootless: true);
        var types = spec.Linux!.Namespaces!.Select(n => n.Type).ToList();
        Assert.DoesNotContain(NamespaceTypes.Network, types);
        Assert.Contains(NamespaceTypes.User, types);
        Assert.Single(spec.Linux.UidMappings!);
        Assert.DoesNotContain(spec.Mounts!, m => m.Destination == "/sys/fs/cgroup");
    }

    [Fact]
    public void Spec_verb_writes_config_json_and_refuses_to_overwrite()
    {
        using var dir = new TempDir();
        Assert.Equal(0, RuntimeCli.Run(["spec", "--bundle", dir.Path]));
        var spec = JsonSerializer.Deserialize(File.ReadAllText(dir.Combine("config.json")), OciJsonContext.Default.Spec)!;
        Assert.Equal("quai", spec.Hostname);
        Assert.Equal(1, RuntimeCli.Run(["spec", "--bundle", dir.Path]));
    }

    [Fact]
    public void Features_lists_hooks_namespaces_and_cgroups()
    {
        var features = Quai.Runtime.Cli.Verbs.FeaturesVerb.Build();
        Assert.Contains("startContainer", features.Hooks!);
        Assert.Contains("pid", features.Linux!.Namespaces!);
        Assert.Contains("user", features.Linux.Namespaces!);
        Assert.DoesNotContain("time", features.Linux.Namespaces!);
        Assert.True(features.Linux.Cgroup!.V1);
        Assert.Contains("CAP_SYS_ADMIN", features.Linux.Capabilities!);
    }
}
