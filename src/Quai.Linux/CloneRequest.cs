namespace Quai.Linux;

/// <summary>What <see cref="CloneSpawn.Start"/> starts, and into which cgroup and namespaces.</summary>
public sealed class CloneRequest
{
    /// <summary>An fd of the executable (O_PATH will do): execveat(2) runs it without a path lookup.</summary>
    public required int ExecutableFd { get; init; }

    /// <summary>The child's argv.</summary>
    public required IReadOnlyList<string> Argv { get; init; }

    /// <summary>The child's environment ("NAME=value").</summary>
    public required IReadOnlyList<string> Env { get; init; }

    /// <summary>(source, target) pairs dup2'ed in the child, in order; sources should sit above every target.</summary>
    public IReadOnlyList<(int Source, int Target)> Fds { get; init; } = [];

    /// <summary>A cgroup2 directory to be born in (CLONE_INTO_CGROUP), or -1.</summary>
    public int CgroupFd { get; init; } = -1;

    /// <summary>CLONE_NEW* flags of namespaces created with the child; with CLONE_NEWUSER, <see cref="IdMaps"/> too.</summary>
    public int NamespaceFlags { get; init; }

    /// <summary>uid_map and gid_map text of a new user namespace, written before the child runs as its root.</summary>
    public (string Uid, string Gid)? IdMaps { get; init; }

    /// <summary>A user namespace for the child to join and become root of, or -1.</summary>
    public int UserNamespaceFd { get; init; } = -1;
}

/// <summary>The started child, and whether it was born in <see cref="CloneRequest.CgroupFd"/>.</summary>
public readonly record struct CloneResult(int Pid, bool InCgroup);
