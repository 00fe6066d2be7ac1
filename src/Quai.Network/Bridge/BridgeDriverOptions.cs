namespace Quai.Network.Bridge;

/// <summary>Where the bridge driver keeps its state and which names it uses on the host.</summary>
public sealed record BridgeDriverOptions
{
    /// <summary>State directory: <c>cni/results</c> (cached ADD results) and <c>ipam/&lt;network&gt;</c> (host-local leases).</summary>
    public required string StateDirectory { get; init; }

    /// <summary>CNI plugin directories (CNI_PATH).</summary>
    public IReadOnlyList<string> PluginDirectories { get; init; } = [Cni.CniInvoker.DefaultPluginDirectory, "/opt/cni/bin"];

    /// <summary>Prefix of our iptables chains (<c>QUAI-ISOLATION-1</c>...); tests use their own.</summary>
    public string ChainPrefix { get; init; } = "QUAI";

    /// <summary>The iptables program.</summary>
    public string Iptables { get; init; } = "iptables";

    /// <summary>The ip(8) program (iproute2).</summary>
    public string Ip { get; init; } = "ip";

    /// <summary>The directory of cached CNI results.</summary>
    public string CniCacheDirectory => Path.Combine(StateDirectory, "cni");

    /// <summary>host-local's dataDir: one directory of leases per network.</summary>
    public string IpamDirectory => Path.Combine(StateDirectory, "ipam");
}
