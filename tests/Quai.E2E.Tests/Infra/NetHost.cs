using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Quai.E2E.Tests.Infra;

/// <summary>
/// Host-side helpers for the network tests: a private quaid with its own default bridge and
/// subnet (so parallel daemons never share quai0's leases), unique subnets, and a snapshot of the
/// host's network state (links, netns, iptables lines, IPAM leases) to prove nothing leaks.
/// </summary>
public static class NetHost
{
    private static int nextSubnet = RandomNumberGenerator.GetInt32(0, 200);

    /// <summary>A random lower-case hex suffix.</summary>
    public static string Hex(int bytes = 3) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    private static readonly StrongBox<int> NextBridgeSubnet = new(RandomNumberGenerator.GetInt32(0, 200));
    private static readonly StrongBox<int> NextPoolSubnet = new(RandomNumberGenerator.GetInt32(0, 200));

    /// <summary>"<paramref name="first"/>.x" for the next x (cycling, unique in this run) that no host route or address uses.</summary>
    private static async Task<string> FreePrefixAsync(string first, StrongBox<int> counter)
    {
        var inUse = (await RunAsync("ip", "-4", "route", "show", "table", "all") + "\n" + await RunAsync("ip", "-4", "-o", "addr")).Replace('/', ' ');
        for (var i = 0; i < 249; i++)
        {
            var candidate = first + "." + (Interlocked.Increment(ref counter.Value) % 249 + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + ".";
            if (!inUse.Split(' ', '\n').Any(w => w.StartsWith(candidate, StringComparison.Ordinal)))
            {
                return candidate.TrimEnd('.');
            }
        }
        throw new InvalidOperationException($"no free /24 in {first}.0.0/16 on this host");
    }

    /// <summary>A /24 of 10.213.0.0/16 no other test of this run uses (third octet cycles).</summary>
    public static string NewSubnetPrefix() => "10.213." + (Interlocked.Increment(ref nextSubnet) % 250).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A private quaid (busybox imported) whose default bridge is <c>qb&lt;hex&gt;</c> on its own
    /// 10.214.x.0/24, with <paramref name="extraJson"/> (e.g. <c>"dns": ["127.0.0.9"]</c>) added
    /// to daemon.json. Dispose it with <see cref="DisposeQuaidAsync"/>.
    /// </summary>
    public static async Task<(Daemon Daemon, string Bridge, string BridgeIp)> StartQuaidAsync(string extraJson = "")
    {
        var d = new QuaidDaemon();
        var bridge = "qb" + Hex();
        // A /24 no other daemon of this run (nor anything on the host) uses: two fixtures drawing
        // the same random one had two bridges on one subnet, and each leak check saw the other's rules.
        var prefix = await FreePrefixAsync("10.214", NextBridgeSubnet);
        // Its own pool for networks made without --subnet (compose's default network), apart from other daemons'.
        var pool = await FreePrefixAsync("10.215", NextPoolSubnet) + ".0/24";
        var json = $"{{\"bridge\": \"{bridge}\", \"bip\": \"{prefix}.1/24\", \"default-address-pools\": [{{\"base\": \"{pool}\", \"size\": 27}}]{(extraJson.Length > 0 ? ", " + extraJson : "")}}}";
        await File.WriteAllTextAsync(Path.Combine(d.Dir, "daemon.json"), json);
        try
        {
            await d.StartAsync();
            await Images.ImportAsync(d, "busybox:latest",
                "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "CMD [\"sh\"]");
        }
        catch
        {
            await DisposeQuaidAsync(d, bridge);
            throw;
        }
        return (d, bridge, prefix + ".1");
    }

    /// <summary>Disposes the daemon and removes its default bridge and the isolation rules naming it (quaid leaves its default bridge, as dockerd leaves docker0).</summary>
    public static async Task DisposeQuaidAsync(Daemon d, string bridge)
    {
        await d.DisposeAsync();
        await RemoveBridgeAsync(bridge);
    }

    /// <summary>Deletes a bridge link and every filter/nat rule mentioning it.</summary>
    public static async Task RemoveBridgeAsync(string bridge)
    {
        foreach (var table in new[] { "filter", "nat" })
        {
            var rules = (await RunAsync("iptables", "-w", "10", "-t", table, "-S")).Split('\n')
                .Where(l => l.StartsWith("-A ", StringComparison.Ordinal) && l.Contains(" " + bridge + " ", StringComparison.Ordinal) || l.EndsWith(" " + bridge, StringComparison.Ordinal)).ToList();
            foreach (var rule in rules.Where(r => r.StartsWith("-A ", StringComparison.Ordinal)))
            {
                await RunAsync("sh", "-c", $"iptables -w 10 -t {table} -D {rule[3..]}");
            }
        }
        if (Directory.Exists("/sys/class/net/" + bridge))
        {
            await RunAsync("ip", "link", "del", "dev", bridge);
        }
    }

    /// <summary>
    /// The host's network state that mentions any of <paramref name="needles"/> (bridge names,
    /// subnet prefixes, container ids) or Quai: links, netns, iptables filter+nat lines; plus the
    /// netns and IPAM files under <paramref name="daemon"/>'s roots.
    /// </summary>
    public static async Task<string> SnapshotAsync(Daemon daemon, params string[] needles)
    {
        var sb = new StringBuilder();
        bool Mine(string l) => needles.Any(n => l.Contains(n, StringComparison.Ordinal));
        sb.AppendLine("# links");
        foreach (var l in (await RunAsync("ip", "-o", "link")).Split('\n').Where(Mine))
        {
            sb.AppendLine(l.Split('<')[0].Split(':', 2)[^1].Trim());
        }
        sb.AppendLine("# netns");
        foreach (var l in (await RunAsync("ip", "netns", "list")).Split('\n').Where(Mine))
        {
            sb.AppendLine(l);
        }
        var spares = 0;
        foreach (var dir in new[] { Path.Combine(daemon.ExecRoot, "netns"), Path.Combine(daemon.DataRoot, "network-state") })
        {
            sb.AppendLine("# " + dir);
            if (Directory.Exists(dir))
            {
                foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    var name = Path.GetFileName(f);
                    // host-local's bookkeeping of the last address it gave out and its lock stay, as with every CNI runtime.
                    if (name.StartsWith(".spare-", StringComparison.Ordinal))
                    {
                        // quaid's spare namespace (NetworkNamespacePool): a new one replaces each one
                        // used, under a new name, a moment later; there is never more than one.
                        spares++;
                    }
                    else if (!name.StartsWith("last_reserved_ip", StringComparison.Ordinal) && name != "lock")
                    {
                        sb.AppendLine(Path.GetRelativePath(dir, f));
                    }
                }
            }
        }
        sb.AppendLine(spares <= 1 ? "# spare network namespaces: at most one" : $"# spare network namespaces: {spares}");
        foreach (var table in new[] { "filter", "nat" })
        {
            sb.AppendLine("# iptables " + table);
            foreach (var l in (await RunAsync("iptables", "-w", "10", "-t", table, "-S")).Split('\n').Where(Mine).Order(StringComparer.Ordinal))
            {
                sb.AppendLine(l);
            }
        }
        return sb.ToString();
    }

    /// <summary>Runs a host command, returning stdout (stderr appended when it fails).</summary>
    public static async Task<string> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return p.ExitCode == 0 ? await stdout : await stdout + await stderr;
    }
}
