using System.Text.Json;

namespace Quai.Network.Cni;

/// <summary>
/// ADD results kept for DEL and CHECK, one file per attachment under
/// <c>&lt;cacheDirectory&gt;/results/&lt;network&gt;-&lt;container&gt;-&lt;ifname&gt;</c> (libcni's layout),
/// written to a temporary file and renamed so a crash never leaves half a file. Not fsynced:
/// an entry only has to outlive the daemon, not the machine (after a reboot the netns and veths
/// it describes are gone too, and an empty or corrupt entry reads as absent).
/// </summary>
internal sealed class CniResultCache(string cacheDirectory)
{
    private readonly string resultsDirectory = Path.Combine(cacheDirectory, "results");

    public string PathOf(string network, string containerId, string ifName)
    {
        var name = $"{network}-{containerId}-{ifName}";
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid CNI cache key '{name}': network, container id and interface name must not contain '/'");
        }
        return Path.Combine(resultsDirectory, name);
    }

    public void Write(CniCacheEntry entry)
    {
        Directory.CreateDirectory(resultsDirectory);
        var path = PathOf(entry.NetworkName, entry.ContainerId, entry.IfName);
        var temporary = path + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + Environment.CurrentManagedThreadId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, entry, CniJsonContext.Default.CniCacheEntry);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public CniCacheEntry? Read(string network, string containerId, string ifName)
    {
        var path = PathOf(network, containerId, ifName);
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, CniJsonContext.Default.CniCacheEntry);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException)
        {
            // A corrupt entry must not block the DEL that would release the lease.
            return null;
        }
    }

    public void Delete(string network, string containerId, string ifName)
    {
        try
        {
            File.Delete(PathOf(network, containerId, ifName));
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was ever cached here.
        }
    }
}
