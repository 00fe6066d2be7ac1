namespace Quai.Images.Layers;

/// <summary>One entry for <see cref="TarEntryWriter"/>.</summary>
internal sealed class TarHeaderInfo
{
    public required string Name { get; init; }
    public char Type { get; init; } = '0';
    public string LinkName { get; init; } = "";
    public uint Mode { get; init; }
    public long Uid { get; init; }
    public long Gid { get; init; }
    public long Size { get; init; }
    public long MtimeSeconds { get; init; }
    public uint DevMajor { get; init; }
    public uint DevMinor { get; init; }
    public IReadOnlyList<KeyValuePair<string, byte[]>> Xattrs { get; init; } = [];
}
