using System.Runtime.InteropServices;

namespace Quai.SecurityProbe;

/// <summary>setgroups/setresgid/setresuid as runc's setupUser does (config.md#posix-platform-user).</summary>
internal static unsafe class UserChange
{
    public static void Apply(Quai.Oci.Runtime.User user)
    {
        var groups = (user.AdditionalGids ?? []).ToArray();
        fixed (uint* list = groups)
        {
            Check(Native.Setgroups((nuint)groups.Length, list), "setgroups");
        }
        Check(Native.Setresgid(user.Gid, user.Gid, user.Gid), "setresgid");
        Check(Native.Setresuid(user.Uid, user.Uid, user.Uid), "setresuid");
        if (user.Umask is { } umask)
        {
            Native.Umask(umask);
        }
    }

    private static void Check(int rc, string call)
    {
        if (rc != 0)
        {
            throw new Quai.Linux.LinuxException(call, Marshal.GetLastPInvokeError());
        }
    }
}
