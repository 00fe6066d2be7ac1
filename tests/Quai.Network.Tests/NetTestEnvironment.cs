using System.Diagnostics;
using Quai.Network.Bridge;
using Quai.Network.Ipam;
using Quai.Network.Namespaces;
using Quai.Testing;

namespace Quai.Network.Tests;

/// <summary>
/// One test's private networking world: a temp dir for netns files, CNI cache and IPAM leases,
/// unique bridge names (qt&lt;random&gt;), subnets from 10.199.0.0/16 and its own iptables chain
/// prefix. Dispose removes every netns, attachment and network it made.
/// </summary>
internal sealed class NetTestEnvironment : IAsyncDisposable
{
    private static int nextSubnet = Random.Shared.Next(0, 200);
    private readonly List<NetworkNamespace> namespaces = [];
    private readonly List<BridgeNetworkDefinition> networks = [];
    private readonly List<(BridgeNetworkDefinition Network, string Container, string Netns)> attachments = [];

    public NetTestEnvironment()
    {
        Root.Require();
        Temp = new TempDir("quai-net");
        Tag = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next()))[..6];
        ChainPrefix = "QT" + Tag.ToUpperInvariant();
        Driver = new BridgeDriver(new BridgeDriverOptions { StateDirectory = Temp.Combine("state"), ChainPrefix = ChainPrefix });
    }

    public TempDir Temp { get; }

    public string Tag { get; }

    public string ChainPrefix { get; }

    public BridgeDriver Driver { get; }

    public string NetnsDirectory => Temp.Combine("netns");

    public static Ipv4Network NextSubnet()
    {
        var n = Interlocked.Increment(ref nextSubnet) % 250;
        return Ipv4Network.Parse($"10.199.{n}.0/24");
    }

    public async Task<BridgeNetworkDefinition> CreateNetworkAsync(string suffix, bool isInternal = false, Ipv4Network? subnet = null)
    {
        var definition = new BridgeNetworkDefinition
        {
            Name = $"qt{Tag}{suffix}",
            BridgeName = $"qt{Tag}{suffix}",
            Subnet = subnet ?? NextSubnet(),
            Internal = isInternal,
        };
        networks.Add(definition);
        await Driver.CreateNetworkAsync(definition);
        return definition;
    }

    public NetworkNamespace CreateNetns(string name)
    {
        var ns = NetworkNamespace.Create(NetnsDirectory, $"{Tag}-{name}");
        namespaces.Add(ns);
        return ns;
    }

    public async Task<AttachResult> AttachAsync(BridgeNetworkDefinition network, string container, NetworkNamespace ns, AttachOptions? options = null)
    {
        var result = await Driver.AttachAsync(network, container, ns.Path, options);
        attachments.Add((network, container, ns.Path));
        return result;
    }

    /// <summary>Runs a program inside a netns through nsenter(1); returns exit code and output.</summary>
    public static (int ExitCode, string Output) Exec(string netnsPath, params string[] command)
    {
        var info = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add($"--net={netnsPath}");
        foreach (var c in command)
        {
            info.ArgumentList.Add(c);
        }
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(20_000))
        {
            p.Kill(true);
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    public static bool Ping(string netnsPath, string address) =>
        Exec(netnsPath, "busybox", "ping", "-c", "1", "-W", "1", address).ExitCode == 0;

    public static string IptablesSave()
    {
        var info = new ProcessStartInfo("iptables-save") { RedirectStandardOutput = true };
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (network, container, netns) in attachments)
        {
            try
            {
                await Driver.DetachAsync(network, container, netns);
            }
            catch (Exception)
            {
            }
        }
        foreach (var ns in namespaces)
        {
            ns.Delete();
        }
        foreach (var network in networks)
        {
            try
            {
                await Driver.RemoveNetworkAsync(network);
            }
            catch (Exception)
            {
            }
        }
        Temp.Dispose();
    }
}
