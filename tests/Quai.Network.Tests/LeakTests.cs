using Quai.Network.Bridge;
using Quai.Network.Ports;

namespace Quai.Network.Tests;

[Collection("host-network")]
public sealed class LeakTests
{
    [Fact]
    public async Task Fifty_attach_detach_cycles_and_network_removal_leave_nothing_behind()
    {
        await using var env = new NetTestEnvironment();
        var net = await env.CreateNetworkAsync("l");
        using var ports = new PortAllocator();
        var ns = env.CreateNetns("leak");
        for (var i = 0; i < 50; i++)
        {
            var id = $"leak{env.Tag}{i}";
            var mappings = ports.Allocate(id, PortSpecParser.Parse("80"));
            var result = await env.Driver.AttachAsync(net, id, ns.Path, new AttachOptions { PortMappings = mappings });
            Assert.True(net.Subnet.Contains(result.IpAddress));
            await env.Driver.DetachAsync(net, id, ns.Path);
            ports.Release(id);
        }
        // A DEL whose netns is gone and whose cache is gone still succeeds (idempotent).
        var gone = env.CreateNetns("gone");
        await env.Driver.AttachAsync(net, "gone" + env.Tag, gone.Path);
        gone.Delete();
        File.Delete(Path.Combine(env.Temp.Path, "state", "cni", "results", $"{net.Name}-gone{env.Tag}-eth0"));
        await env.Driver.DetachAsync(net, "gone" + env.Tag, gone.Path);
        await env.Driver.DetachAsync(net, "gone" + env.Tag, gone.Path);

        var leases = Path.Combine(env.Temp.Path, "state", "ipam", net.Name);
        Assert.DoesNotContain(Directory.GetFiles(leases), f => Path.GetFileName(f).StartsWith("10.", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(Path.Combine(env.Temp.Path, "state", "cni", "results")));

        // No veth is left on the bridge. (The host's own veth list is not compared: other test
        // assemblies, the E2E networking tests among them, add and remove veths meanwhile.)
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine("/sys/class/net", net.BridgeName, "brif")));
        ns.Delete();
        await env.Driver.RemoveNetworkAsync(net);
        await env.Driver.RemoveNetworkAsync(net); // idempotent

        Assert.False(Directory.Exists(leases));
        Assert.False(File.Exists(ns.Path));
        Assert.False(File.Exists(gone.Path));
        Assert.False(Directory.Exists(Path.Combine("/sys/class/net", net.BridgeName)));
        var rules = NetTestEnvironment.IptablesSave();
        Assert.DoesNotContain(env.ChainPrefix, rules, StringComparison.Ordinal);
        Assert.DoesNotContain(net.BridgeName, rules, StringComparison.Ordinal);
        Assert.DoesNotContain(net.Subnet.NetworkAddress.ToString()[..^1], rules, StringComparison.Ordinal);
        Assert.DoesNotContain(env.Tag, rules, StringComparison.Ordinal);
        Assert.DoesNotContain(env.Tag, File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
    }
}
