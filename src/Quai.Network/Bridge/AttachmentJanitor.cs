using System.Net;
using Quai.Network.Internal;

namespace Quai.Network.Bridge;

/// <summary>
/// Removes what a CNI DEL cannot when the container's netns is gone: the bridge plugin learns
/// the addresses whose masquerade rules it must drop from the interface inside the netns, and
/// the firewall plugin from the cached result. We learn the address from the host-local lease
/// (file named after the IP, first line the container id) before the DEL releases it, and delete
/// the leftovers after: the nat rule commented <c>name: "net" id: "container"</c> with its chain,
/// and CNI-FORWARD's ACCEPTs for that address.
/// </summary>
internal sealed class AttachmentJanitor(string iptables)
{
    /// <summary>Addresses leased to <paramref name="containerId"/> in host-local's directory for a network.</summary>
    public static IReadOnlyList<IPAddress> FindLeases(string ipamNetworkDirectory, string containerId)
    {
        var result = new List<IPAddress>();
        if (!Directory.Exists(ipamNetworkDirectory))
        {
            return result;
        }
        foreach (var file in Directory.EnumerateFiles(ipamNetworkDirectory))
        {
            if (!IPAddress.TryParse(Path.GetFileName(file), out var address))
            {
                continue;
            }
            try
            {
                using var reader = new StreamReader(file);
                if (reader.ReadLine()?.Trim() == containerId)
                {
                    result.Add(address);
                }
            }
            catch (IOException)
            {
            }
        }
        return result;
    }

    /// <summary>Deletes leftover rules of one attachment; idempotent.</summary>
    public async Task CleanupAsync(string networkName, string containerId, IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken)
    {
        var comment = $"name: \\\"{networkName}\\\" id: \\\"{containerId}\\\"";
        var chains = await DeleteMatchingAsync("nat", "POSTROUTING", l => l.Contains(comment, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
        foreach (var chain in chains.Where(c => c.StartsWith("CNI-", StringComparison.Ordinal)))
        {
            await RunAsync(["-t", "nat", "-F", chain], cancellationToken).ConfigureAwait(false);
            await RunAsync(["-t", "nat", "-X", chain], cancellationToken).ConfigureAwait(false);
        }
        if (addresses.Count > 0)
        {
            var needles = addresses.SelectMany(a => new[] { $"-s {a}/32 ", $"-d {a}/32 " }).ToArray();
            await DeleteMatchingAsync("filter", "CNI-FORWARD", l => needles.Any(n => l.Contains(n, StringComparison.Ordinal)), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<List<string>> DeleteMatchingAsync(string table, string chain, Func<string, bool> match, CancellationToken cancellationToken)
    {
        var jumps = new List<string>();
        var listing = await RunAsync(["-t", table, "-S", chain], cancellationToken).ConfigureAwait(false);
        if (listing.ExitCode != 0)
        {
            return jumps; // no such chain: nothing left over
        }
        var rules = listing.Stdout.Split('\n').Where(l => l.StartsWith("-A ", StringComparison.Ordinal)).ToList();
        // Delete by rule number, last first, so earlier numbers stay valid.
        for (var i = rules.Count - 1; i >= 0; i--)
        {
            if (!match(rules[i]))
            {
                continue;
            }
            var jump = rules[i].LastIndexOf(" -j ", StringComparison.Ordinal);
            if (jump >= 0)
            {
                jumps.Add(rules[i][(jump + 4)..].Split(' ')[0]);
            }
            await RunAsync(["-t", table, "-D", chain, (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken).ConfigureAwait(false);
        }
        return jumps;
    }

    private Task<CommandResult> RunAsync(string[] arguments, CancellationToken cancellationToken) =>
        CommandRunner.RunAsync(iptables, ["-w", "10", .. arguments], cancellationToken: cancellationToken);
}
