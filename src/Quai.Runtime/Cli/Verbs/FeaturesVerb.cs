using System.Text.Json;
using Quai.Linux.Capabilities;
using Quai.Linux.Seccomp;
using Quai.Oci;
using Quai.Oci.Runtime;
using Quai.Runtime.Security;

namespace Quai.Runtime.Cli.Verbs;

/// <summary>`features`: what this runtime implements (features.md of the runtime spec).</summary>
public static class FeaturesVerb
{
    private static readonly string[] MountOptionNames =
    [
        "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "iversion", "lazytime", "loud",
        "mand", "noatime", "nodev", "nodiratime", "noexec", "noiversion", "nolazytime", "nomand", "norelatime",
        "nostrictatime", "nosuid", "nosymfollow", "private", "rbind", "relatime", "remount", "ro", "rprivate",
        "rshared", "rslave", "runbindable", "rw", "shared", "silent", "slave", "strictatime", "suid", "symfollow",
        "sync", "tmpcopyup", "unbindable",
    ];

    public static readonly Verb Definition = new("features", "", "print the runtime's features as JSON", [], 0, 0, (c, a) =>
    {
        Console.Out.Write(JsonSerializer.Serialize(Build(), OciJson.Pretty.Features) + "\n");
        return 0;
    });

    /// <summary>The features document.</summary>
    public static Features Build() => new()
    {
        Hooks = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
        MountOptions = [.. MountOptionNames],
        Linux = new LinuxFeatures
        {
            // time namespaces are refused at create, and so is joining a user namespace by path (see SpecLoader.Validate).
            Namespaces = [NamespaceTypes.Cgroup, NamespaceTypes.Ipc, NamespaceTypes.Mount, NamespaceTypes.Network, NamespaceTypes.Pid, NamespaceTypes.User, NamespaceTypes.Uts],
            Capabilities = [.. CapabilityNames.All],
            Cgroup = new CgroupFeatures { V1 = true, V2 = true, Systemd = false, SystemdUser = false, Rdma = false },
            Seccomp = new SeccompFeatures
            {
                Enabled = true,
                Actions = [.. SeccompMapping.ActionNames],
                Operators = [.. SeccompMapping.OperatorNames],
                Archs = [.. SeccompArchitectures.SpecNames],
                KnownFlags = [.. SeccompMapping.FlagNames],
                SupportedFlags = [.. SeccompMapping.FlagNames],
            },
            Apparmor = new EnabledFeature { Enabled = false },
            Selinux = new EnabledFeature { Enabled = false },
            IntelRdt = new EnabledFeature { Enabled = false },
            MountExtensions = new MountExtensionsFeatures { Idmap = new EnabledFeature { Enabled = false } },
        },
        Annotations = new Dictionary<string, string> { ["org.opencontainers.runtime-spec.features"] = "quai-runtime", ["io.quai.runtime.version"] = RuntimeCli.Version },
    };
}
