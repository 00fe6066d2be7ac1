using Quai.Network.Internal;

namespace Quai.Network.Bridge;

/// <summary>
/// The iptables rules of bridge networks, kept per network as docker keeps them (moby
/// libnetwork/drivers/bridge/setup_ip_tables.go), in chains of our own so that DOCKER* chains and
/// docker0 are never touched:
/// <list type="bullet">
/// <item><c>filter &lt;prefix&gt;-FORWARD</c>, jumped to from FORWARD: first
///   <c>-j &lt;prefix&gt;-ISOLATION-1</c>, then per bridge the accepts a host whose FORWARD policy is
///   DROP needs (dockerd sets it so): replies into the bridge (<c>-o br --ctstate RELATED,ESTABLISHED</c>),
///   published ports (<c>-o br --ctstate DNAT</c>: only what portmap DNAT'ed in, not on internal
///   networks) and everything leaving or crossing the bridge (<c>-i br</c>).</item>
/// <item><c>&lt;prefix&gt;-ISOLATION-1/2</c>, docker's DOCKER-ISOLATION-STAGE-1/2 design: stage 1 sends
///   traffic leaving a bridge for another interface to stage 2, which drops it if it enters any
///   other of our bridges; an internal network's bridge drops everything that crosses it.</item>
/// <item><c>nat &lt;prefix&gt;-POSTROUTING</c>, jumped to from POSTROUTING: the subnet's outbound NAT,
///   <c>-s subnet ! -o br -j MASQUERADE</c> (not on internal networks or with ip masquerade off).</item>
/// </list>
/// Per-network rules cost their iptables runs once, at network create, instead of on every
/// container's ADD and DEL as the bridge plugin's ipMasq and the firewall plugin would. The
/// chains and jumps go away with the last network.
/// </summary>
internal sealed class BridgeFirewall(string prefix, string iptables = "iptables")
{
    // One process-wide lock: iptables -w serialises against other programs, this keeps our own
    // check-then-insert sequences atomic.
    private static readonly SemaphoreSlim Lock = new(1, 1);

    public string Forward { get; } = prefix + "-FORWARD";

    public string Stage1 { get; } = prefix + "-ISOLATION-1";

    public string Stage2 { get; } = prefix + "-ISOLATION-2";

    public string Postrouting { get; } = prefix + "-POSTROUTING";

    /// <summary>Adds the rules of one network (idempotent; also repairs a partial set).</summary>
    public async Task AddAsync(BridgeNetworkDefinition network, CancellationToken cancellationToken)
    {
        await Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var chain in new[] { Forward, Stage1, Stage2 })
            {
                await EnsureChainAsync("filter", chain, cancellationToken).ConfigureAwait(false);
            }
            await EnsureChainAsync("nat", Postrouting, cancellationToken).ConfigureAwait(false);
            await EnsureRuleAsync("filter", Forward, ["-j", Stage1], insertFirst: true, cancellationToken).ConfigureAwait(false);
            foreach (var (chain, rule) in IsolationRules(network.BridgeName, network.Internal))
            {
                // Insert: drops of a newer network go ahead of nothing that could accept.
                await EnsureRuleAsync("filter", chain, rule, insertFirst: true, cancellationToken).ConfigureAwait(false);
            }
            foreach (var rule in ForwardRules(network.BridgeName, network.Internal))
            {
                await EnsureRuleAsync("filter", Forward, rule, insertFirst: false, cancellationToken).ConfigureAwait(false);
            }
            if (network.IpMasquerade && !network.Internal)
            {
                await EnsureRuleAsync("nat", Postrouting, MasqueradeRule(network), insertFirst: false, cancellationToken).ConfigureAwait(false);
            }
            // The jumps last: the chains are complete before traffic reaches them.
            await EnsureRuleAsync("filter", "FORWARD", ["-j", Forward], insertFirst: true, cancellationToken).ConfigureAwait(false);
            await EnsureRuleAsync("nat", "POSTROUTING", ["-j", Postrouting], insertFirst: true, cancellationToken).ConfigureAwait(false);
            // Quai before this design jumped from FORWARD to stage 1 directly.
            await DeleteAllAsync("filter", "FORWARD", ["-j", Stage1], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Lock.Release();
        }
    }

    /// <summary>Removes the rules of one bridge (every variant, idempotent); drops the chains and jumps once no network is left.</summary>
    public async Task RemoveAsync(string bridge, CancellationToken cancellationToken)
    {
        await Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var (chain, rule) in IsolationRules(bridge, false).Concat(IsolationRules(bridge, true)))
            {
                await DeleteAllAsync("filter", chain, rule, cancellationToken).ConfigureAwait(false);
            }
            await DeleteMentioningAsync("filter", Forward, bridge, cancellationToken).ConfigureAwait(false);
            await DeleteMentioningAsync("nat", Postrouting, bridge, cancellationToken).ConfigureAwait(false);
            var forward = await RulesAsync("filter", Forward, cancellationToken).ConfigureAwait(false);
            if (await IsEmptyAsync("filter", Stage1, cancellationToken).ConfigureAwait(false)
                && await IsEmptyAsync("filter", Stage2, cancellationToken).ConfigureAwait(false)
                && forward.All(r => r == $"-A {Forward} -j {Stage1}")
                && await IsEmptyAsync("nat", Postrouting, cancellationToken).ConfigureAwait(false))
            {
                await DeleteAllAsync("filter", "FORWARD", ["-j", Forward], cancellationToken).ConfigureAwait(false);
                await DeleteAllAsync("filter", "FORWARD", ["-j", Stage1], cancellationToken).ConfigureAwait(false);
                await DeleteAllAsync("nat", "POSTROUTING", ["-j", Postrouting], cancellationToken).ConfigureAwait(false);
                foreach (var chain in new[] { Forward, Stage1, Stage2 })
                {
                    await DeleteChainAsync("filter", chain, cancellationToken).ConfigureAwait(false);
                }
                await DeleteChainAsync("nat", Postrouting, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Lock.Release();
        }
    }

    private IEnumerable<(string Chain, string[] Rule)> IsolationRules(string bridge, bool isInternal)
    {
        if (isInternal)
        {
            // docker's internal network: nothing enters or leaves the bridge.
            yield return (Stage1, ["-i", bridge, "!", "-o", bridge, "-j", "DROP"]);
            yield return (Stage1, ["-o", bridge, "!", "-i", bridge, "-j", "DROP"]);
        }
        else
        {
            yield return (Stage1, ["-i", bridge, "!", "-o", bridge, "-j", Stage2]);
        }
        yield return (Stage2, ["-o", bridge, "-j", "DROP"]);
    }

    private static IEnumerable<string[]> ForwardRules(string bridge, bool isInternal)
    {
        yield return ["-o", bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"];
        if (!isInternal)
        {
            yield return ["-o", bridge, "-m", "conntrack", "--ctstate", "DNAT", "-j", "ACCEPT"];
        }
        yield return ["-i", bridge, "-j", "ACCEPT"];
    }

    private static string[] MasqueradeRule(BridgeNetworkDefinition network) =>
        ["-s", network.Subnet.ToString(), "!", "-o", network.BridgeName, "-j", "MASQUERADE"];

    private async Task EnsureChainAsync(string table, string chain, CancellationToken cancellationToken)
    {
        var result = await RunAsync(table, ["-N", chain], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 && !result.Stderr.Contains("exists", StringComparison.OrdinalIgnoreCase))
        {
            throw Failure(table, ["-N", chain], result);
        }
    }

    private async Task EnsureRuleAsync(string table, string chain, string[] rule, bool insertFirst, CancellationToken cancellationToken)
    {
        if ((await RunAsync(table, ["-C", chain, .. rule], cancellationToken).ConfigureAwait(false)).ExitCode == 0)
        {
            return;
        }
        string[] arguments = insertFirst ? ["-I", chain, "1", .. rule] : ["-A", chain, .. rule];
        var result = await RunAsync(table, arguments, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw Failure(table, arguments, result);
        }
    }

    private async Task DeleteAllAsync(string table, string chain, string[] rule, CancellationToken cancellationToken)
    {
        while ((await RunAsync(table, ["-C", chain, .. rule], cancellationToken).ConfigureAwait(false)).ExitCode == 0)
        {
            string[] arguments = ["-D", chain, .. rule];
            var result = await RunAsync(table, arguments, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw Failure(table, arguments, result);
            }
        }
    }

    /// <summary>Deletes every rule of <paramref name="chain"/> that names <paramref name="bridge"/> as its in or out interface.</summary>
    private async Task DeleteMentioningAsync(string table, string chain, string bridge, CancellationToken cancellationToken)
    {
        var rules = await RulesAsync(table, chain, cancellationToken).ConfigureAwait(false);
        // Delete by number, last first, so earlier numbers stay valid.
        for (var i = rules.Count - 1; i >= 0; i--)
        {
            var words = rules[i].Split(' ');
            var names = words.Zip(words.Skip(1)).Any(p => p.First is "-i" or "-o" && p.Second == bridge);
            if (names)
            {
                string[] arguments = ["-D", chain, (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)];
                var result = await RunAsync(table, arguments, cancellationToken).ConfigureAwait(false);
                if (result.ExitCode != 0)
                {
                    throw Failure(table, arguments, result);
                }
            }
        }
    }

    /// <summary>The chain's rules as <c>iptables -S</c> prints them ("-A CHAIN …"); empty when the chain does not exist.</summary>
    private async Task<List<string>> RulesAsync(string table, string chain, CancellationToken cancellationToken)
    {
        var result = await RunAsync(table, ["-S", chain], cancellationToken).ConfigureAwait(false);
        return result.ExitCode != 0
            ? []
            : result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith("-A ", StringComparison.Ordinal)).ToList();
    }

    private async Task DeleteChainAsync(string table, string chain, CancellationToken cancellationToken)
    {
        var flush = await RunAsync(table, ["-F", chain], cancellationToken).ConfigureAwait(false);
        if (flush.ExitCode != 0)
        {
            return; // no such chain: already gone
        }
        await RunAsync(table, ["-X", chain], cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> IsEmptyAsync(string table, string chain, CancellationToken cancellationToken) =>
        (await RulesAsync(table, chain, cancellationToken).ConfigureAwait(false)).Count == 0;

    private Task<CommandResult> RunAsync(string table, string[] arguments, CancellationToken cancellationToken) =>
        CommandRunner.RunAsync(iptables, ["-w", "10", "-t", table, .. arguments], cancellationToken: cancellationToken);

    private InvalidOperationException Failure(string table, string[] arguments, CommandResult result) =>
        new($"'{iptables} -t {table} {string.Join(' ', arguments)}' failed (exit {result.ExitCode}): {result.Stderr.Trim()}");
}
