using System.Text;
using Quai.Linux.Interop;

namespace Quai.Linux;

/// <summary>The UTS namespace's names: sethostname(2), setdomainname(2).</summary>
public static unsafe class Uts
{
    /// <summary>sethostname(2).</summary>
    public static void SetHostname(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var bytes = Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes)
        {
            LinuxException.ThrowIfError(Libc.Sethostname(p, (nuint)bytes.Length), "sethostname", name);
        }
    }

    /// <summary>setdomainname(2).</summary>
    public static void SetDomainname(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var bytes = Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes)
        {
            LinuxException.ThrowIfError(Libc.Setdomainname(p, (nuint)bytes.Length), "setdomainname", name);
        }
    }
}
