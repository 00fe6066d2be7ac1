using System.Text.Json;

namespace Quai.Engine.Security;

/// <summary>
/// HostConfig.SecurityOpt (`--security-opt`), checked at create as moby's parseSecurityOpt does:
/// no-new-privileges[=bool], seccomp=unconfined|builtin|PROFILE-JSON (the docker CLI sends the
/// file's contents), systempaths=unconfined, and apparmor=/label= (accepted: neither AppArmor nor
/// SELinux labelling is enforced by Quai, as by dockerd on a host without them). Anything else
/// is refused.
/// </summary>
public sealed record SecurityOptions(bool NoNewPrivileges, bool SeccompUnconfined, SeccompProfile? SeccompProfile, bool SystemPathsUnconfined)
{
    /// <summary>Parses and validates; throws InvalidArgument naming the bad option.</summary>
    public static SecurityOptions Parse(IReadOnlyList<string>? options)
    {
        var noNewPrivileges = false;
        var unconfined = false;
        var systemPaths = false;
        SeccompProfile? profile = null;
        for (var i = 0; i < (options?.Count ?? 0); i++)
        {
            var opt = options![i];
            if (opt == "no-new-privileges")
            {
                noNewPrivileges = true;
                continue;
            }
            // docker accepts both "key=value" and the older "key:value".
            var sep = opt.IndexOfAny(['=', ':']);
            if (sep <= 0)
            {
                throw Invalid(i, opt);
            }
            var key = opt[..sep];
            var value = opt[(sep + 1)..];
            switch (key)
            {
                case "no-new-privileges":
                    noNewPrivileges = bool.TryParse(value, out var b) ? b : throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid --security-opt {i + 1}: \"{opt}\": no-new-privileges takes true or false");
                    break;
                case "seccomp":
                    if (value == "unconfined")
                    {
                        unconfined = true;
                        profile = null;
                    }
                    else if (value is "builtin" or "")
                    {
                        unconfined = false;
                        profile = null;
                    }
                    else
                    {
                        unconfined = false;
                        profile = ParseProfile(value);
                    }
                    break;
                case "systempaths":
                    systemPaths = value == "unconfined" ? true : throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid --security-opt {i + 1}: \"{opt}\": systempaths only takes unconfined");
                    break;
                case "apparmor":
                case "label":
                    break;
                default:
                    throw Invalid(i, opt);
            }
        }
        return new SecurityOptions(noNewPrivileges, unconfined, profile, systemPaths);
    }

    private static SeccompProfile ParseProfile(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, SeccompJsonContext.Default.SeccompProfile)
                ?? throw new EngineException(EngineErrorKind.InvalidArgument, "seccomp profile is empty");
        }
        catch (JsonException e)
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, $"Decoding seccomp profile failed: {e.Message} (give --security-opt seccomp=unconfined, or the path of a JSON profile)");
        }
    }

    private static EngineException Invalid(int index, string opt) =>
        new(EngineErrorKind.InvalidArgument, $"invalid --security-opt {index + 1}: \"{opt}\" (known: no-new-privileges, seccomp=, apparmor=, label=, systempaths=unconfined)");
}
