namespace Quai.Engine.Volumes;

/// <summary>A volume as the engine keeps it (volumes/&lt;name&gt;/volume.json).</summary>
public sealed class VolumeRecord
{
    /// <summary>The volume's name (64 hex characters for an anonymous volume).</summary>
    public string Name { get; set; } = "";

    /// <summary>Always "local".</summary>
    public string Driver { get; set; } = "local";

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>User labels.</summary>
    public Dictionary<string, string> Labels { get; set; } = [];

    /// <summary>Driver options (type, device, o for the local driver).</summary>
    public Dictionary<string, string> Options { get; set; } = [];

    /// <summary>Whether it was created for a container's anonymous mount (removed by `rm -v`).</summary>
    public bool Anonymous { get; set; }
}
