using Quai.Runtime.Container;
using Quai.Runtime.Store;

namespace Quai.Runtime.Cli;

/// <summary>What every verb gets from the global flags.</summary>
public sealed class CliContext
{
    public CliContext(string root, bool systemdCgroup, bool debug, bool rootless)
    {
        Store = new StateStore(root);
        Service = new ContainerService(Store);
        SystemdCgroup = systemdCgroup;
        Debug = debug;
        Rootless = rootless;
    }

    /// <summary>The state directory (--root).</summary>
    public StateStore Store { get; }

    /// <summary>Operations on existing containers.</summary>
    public ContainerService Service { get; }

    /// <summary>--systemd-cgroup.</summary>
    public bool SystemdCgroup { get; }

    /// <summary>--debug.</summary>
    public bool Debug { get; }

    /// <summary>--rootless (accepted; user namespaces are refused at create).</summary>
    public bool Rootless { get; }

    /// <summary>A creator bound to this root.</summary>
    public ContainerCreator Creator() => new(Store, SystemdCgroup);
}
