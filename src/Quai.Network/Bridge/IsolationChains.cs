using Quai.Network.Internal;

namespace Quai.Network.Bridge;

/// <summary>
/// The iptables filter rules that keep bridge networks apart, docker's DOCKER-ISOLATION-STAGE-1/2
/// design in chains of our own (<c>&lt;prefix&gt;-ISOLATION-1/2</c>, jumped to from FORWARD ahead
/// of the CNI firewall plugin's CNI-FORWARD):
/// stage 1 sends traffic leaving a bridge for another interface to stage 2, which drops it if it
/// enters any other of our bridges; an internal network's bridge drops everything that crosses it.
/// The chains go away with the last network. DOCKER* chains and docker0 are never touched.
/// </summary>
internal sealed class IsolationChains(string prefix, string iptables = "iptables")
{
    // One process-wide lock: iptables -w serialises against other programs, this keeps our own
    // check-then-insert sequences atomic.
    private static readonly SemaphoreSlim Lock = new(1, 1);

    public string Stage1 { get; } = prefix + "-ISOLATION-1";

    public string Stage2 { get; } = prefix + "-ISOLATION-2";

    /// <summary>Adds the rules for one bridge (idempotent).</summary>
    public async Task AddAsync(string bridge, bool isInternal, CancellationToken cancellationToken)
    {
        await Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureChainAsync(Stage1, cancellationToken).ConfigureAwait(false);
            await EnsureChainAsync(Stage2, cancellationToken).ConfigureAwait(false);
            foreach (var (chain, rule) in RulesFor(bridge, isInternal))
            {
                if (!await ExistsAsync(chain, rule, cancellationToken).ConfigureAwait(false))
                {
                    // Insert: drops of a newer network go ahead of nothing that could accept.
                    await IptablesAsync(["-I", chain, "1", .. rule], cancellationToken).ConfigureAwait(false);
                }
            }
            await EnsureJumpFirstLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Lock.Release();
        }
    }

    /// <summary>Removes the rules for one bridge (both variants, idempotent); drops the chains once empty.</summary>
    public async Task RemoveAsync(string bridge, CancellationToken cancellationToken)
    {
        await Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var (chain, rule) in RulesFor(bridge, false).Concat(RulesFor(bridge, true)))
            {
                while (await ExistsAsync(chain, rule, cancellationToken).ConfigureAwait(false))
                {
                    await IptablesAsync(["-D", chain, .. rule], cancellationToken).ConfigureAwait(false);
                }
            }
            if (await IsEmptyAsync(Stage1, cancellationToken).ConfigureAwait(false) && await IsEmptyAsync(Stage2, cancellationToken).ConfigureAwait(false))
            {
                while (await ExistsAsync("FORWARD", ["-j", Stage1], cancellationToken).ConfigureAwait(false))
                {
                    await IptablesAsync(["-D", "FORWARD", "-j", Stage1], cancellationToken).ConfigureAwait(false);
                }
                await DeleteChainAsync(Stage1, cancellationToken).ConfigureAwait(false);
                await DeleteChainAsync(Stage2, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Lock.Release();
        }
    }

    /// <summary>
    /// Keeps FORWARD's jump to stage 1 ahead of CNI-FORWARD: the firewall plugin inserts its
    /// jump at the top on first use, and its per-container ACCEPTs must not pre-empt isolation.
    /// </summary>
    public async Task EnsureJumpFirstAsync(CancellationToken cancellationToken)
    {
        await Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureJumpFirstLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Lock.Release();
        }
    }

    private async Task EnsureJumpFirstLockedAsync(CancellationToken cancellationToken)
    {
        var rules = (await IptablesAsync(["-S", "FORWARD"], cancellationToken).ConfigureAwait(false))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("-A ", StringComparison.Ordinal))
            .ToList();
        var ours = rules.IndexOf($"-A FORWARD -j {Stage1}");
        var cni = rules.FindIndex(r => r.EndsWith("-j CNI-FORWARD", StringComparison.Ordinal));
        if (ours >= 0 && (cni < 0 || ours < cni))
        {
            return;
        }
        if (ours >= 0)
        {
            await IptablesAsync(["-D", "FORWARD", "-j", Stage1], cancellationToken).ConfigureAwait(false);
        }
        await IptablesAsync(["-I", "FORWARD", "1", "-j", Stage1], cancellationToken).ConfigureAwait(false);
    }

    private IEnumerable<(string Chain, string[] Rule)> RulesFor(string bridge, bool isInternal)
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

    private async Task EnsureChainAsync(string chain, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["-N", chain], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0 && !result.Stderr.Contains("exists", StringComparison.OrdinalIgnoreCase))
        {
            throw Failure(["-N", chain], result);
        }
    }

    private async Task DeleteChainAsync(string chain, CancellationToken cancellationToken)
    {
        var flush = await RunAsync(["-F", chain], cancellationToken).ConfigureAwait(false);
        if (flush.ExitCode != 0)
        {
            return; // no such chain: already gone
        }
        await RunAsync(["-X", chain], cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> IsEmptyAsync(string chain, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["-S", chain], cancellationToken).ConfigureAwait(false);
        return result.ExitCode != 0 || !result.Stdout.Split('\n').Any(l => l.StartsWith("-A ", StringComparison.Ordinal));
    }

    private async Task<bool> ExistsAsync(string chain, string[] rule, CancellationToken cancellationToken) =>
        (await RunAsync(["-C", chain, .. rule], cancellationToken).ConfigureAwait(false)).ExitCode == 0;

    private async Task<string> IptablesAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var result = await RunAsync(arguments, cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0 ? result.Stdout : throw Failure(arguments, result);
    }

    private Task<CommandResult> RunAsync(string[] arguments, CancellationToken cancellationToken) =>
        CommandRunner.RunAsync(iptables, ["-w", "10", "-t", "filter", .. arguments], cancellationToken: cancellationToken);

    private InvalidOperationException Failure(string[] arguments, CommandResult result) =>
        new($"'{iptables} -t filter {string.Join(' ', arguments)}' failed (exit {result.ExitCode}): {result.Stderr.Trim()}");
}
