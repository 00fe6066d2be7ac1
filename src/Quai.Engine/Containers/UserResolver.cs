using System.Globalization;

namespace Quai.Engine.Containers;

/// <summary>
/// Resolves docker's `--user` (name|uid[:group|gid]) and `--group-add` against the container's own
/// /etc/passwd and /etc/group, as moby's user lookup (github.com/moby/sys/user) does.
/// </summary>
internal static class UserResolver
{
    public sealed record Resolved(uint Uid, uint Gid, List<uint> AdditionalGids, string Home);

    public static Resolved Resolve(string? user, IReadOnlyList<string>? groupAdd, LayeredRootfs rootfs)
    {
        var passwd = Parse(rootfs.ReadAllText("/etc/passwd"));
        var groups = Parse(rootfs.ReadAllText("/etc/group"));
        string userPart = string.IsNullOrEmpty(user) ? "0" : user, groupPart = "";
        var colon = userPart.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            groupPart = userPart[(colon + 1)..];
            userPart = userPart[..colon];
        }

        uint uid, gid = 0;
        var home = "/";
        string? name = null;
        var entry = passwd.FirstOrDefault(p => p.Length >= 7 && (p[0] == userPart || (uint.TryParse(userPart, out var n) && p[2] == n.ToString(CultureInfo.InvariantCulture))));
        if (entry is not null)
        {
            name = entry[0];
            uid = uint.Parse(entry[2], CultureInfo.InvariantCulture);
            gid = uint.TryParse(entry[3], out var g) ? g : 0;
            home = entry[5];
        }
        else if (uint.TryParse(userPart, out var numeric))
        {
            uid = numeric;
        }
        else
        {
            throw EngineException.Invalid($"unable to find user {userPart}: no matching entries in passwd file");
        }

        if (groupPart.Length > 0)
        {
            gid = LookupGroup(groupPart, groups);
        }

        var extra = new List<uint>();
        if (name is not null)
        {
            foreach (var g in groups)
            {
                if (g.Length >= 4 && g[3].Split(',').Contains(name) && uint.TryParse(g[2], out var member) && member != gid)
                {
                    extra.Add(member);
                }
            }
        }
        foreach (var g in groupAdd ?? [])
        {
            var id = LookupGroup(g, groups);
            if (!extra.Contains(id))
            {
                extra.Add(id);
            }
        }
        return new Resolved(uid, gid, extra, home);
    }

    private static uint LookupGroup(string group, List<string[]> groups)
    {
        var g = groups.FirstOrDefault(e => e.Length >= 3 && e[0] == group);
        if (g is not null && uint.TryParse(g[2], out var byName))
        {
            return byName;
        }
        return uint.TryParse(group, out var numeric)
            ? numeric
            : throw EngineException.Invalid($"unable to find group {group}: no matching entries in group file");
    }

    private static List<string[]> Parse(string? text) =>
        text is null ? [] : [.. text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split(':'))];
}
