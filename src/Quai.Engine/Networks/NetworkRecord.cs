namespace Quai.Engine.Networks;

/// <summary>A network as the engine keeps it (networks/&lt;id&gt;.json): docker's network object.</summary>
public sealed class NetworkRecord
{
    /// <summary>64 hex characters.</summary>
    public string Id { get; set; } = "";

    /// <summary>Unique name ("bridge", "host", "none", or the user's).</summary>
    public string Name { get; set; } = "";

    /// <summary>"bridge", "host" or "null".</summary>
    public string Driver { get; set; } = "bridge";

    /// <summary>When it was created.</summary>
    public DateTimeOffset Created { get; set; }

    /// <summary>IPv4 subnet in CIDR form (bridge only).</summary>
    public string? Subnet { get; set; }

    /// <summary>Gateway address (bridge only).</summary>
    public string? Gateway { get; set; }

    /// <summary>--ip-range.</summary>
    public string? IpRange { get; set; }

    /// <summary>The Linux bridge interface.</summary>
    public string? BridgeName { get; set; }

    /// <summary>--internal.</summary>
    public bool Internal { get; set; }

    /// <summary>--attachable.</summary>
    public bool Attachable { get; set; }

    /// <summary>User labels.</summary>
    public Dictionary<string, string> Labels { get; set; } = [];

    /// <summary>Driver options (com.docker.network.*).</summary>
    public Dictionary<string, string> Options { get; set; } = [];

    /// <summary>docker's predefined networks (bridge, host, none) cannot be removed.</summary>
    public bool Predefined { get; set; }

    /// <summary>The user asked for this subnet (not taken from the pools).</summary>
    public bool SubnetGiven { get; set; }
}
