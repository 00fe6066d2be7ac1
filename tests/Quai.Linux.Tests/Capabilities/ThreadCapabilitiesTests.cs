using System.Globalization;
using Quai.Linux.Capabilities;
using Quai.Testing;

namespace Quai.Linux.Tests.Capabilities;

/// <summary>
/// Real capability calls. Every change runs on a dedicated thread that then ends, because
/// capability sets, the bounding set and no_new_privs belong to a thread (capabilities(7)).
/// </summary>
public class ThreadCapabilitiesTests
{
    [Fact]
    public void GetMatchesProcStatusOfTheCallingThread()
    {
        Root.Require();
        var result = OnOwnThread(() => (ThreadCapabilities.Get(), Status("CapEff"), Status("CapPrm"), Status("CapInh")));
        Assert.Equal(result.Item2, result.Item1.Effective);
        Assert.Equal(result.Item3, result.Item1.Permitted);
        Assert.Equal(result.Item4, result.Item1.Inheritable);
    }

    [Fact]
    public void GetBoundingMatchesProcStatus()
    {
        Root.Require();
        var (mask, status) = OnOwnThread(() => (ThreadCapabilities.GetBounding(), Status("CapBnd")));
        Assert.Equal(status, mask);
    }

    [Fact]
    public void DropBoundingRemovesOnlyThatCapability()
    {
        Root.Require();
        var (before, after, inBounding) = OnOwnThread(() =>
        {
            var b = Status("CapBnd");
            ThreadCapabilities.DropBounding(CapabilityNames.GetNumber("CAP_SYS_TIME"));
            return (b, Status("CapBnd"), ThreadCapabilities.InBounding(CapabilityNames.GetNumber("CAP_SYS_TIME")));
        });
        Assert.Equal(before & ~(1UL << 25), after);
        Assert.False(inBounding);
    }

    [Fact]
    public void SetChangesTheThreadsSetsAndAmbientFollows()
    {
        Root.Require();
        const ulong netBind = 1UL << 10;
        const ulong chown = 1UL << 0;
        var (sets, ambient, amb) = OnOwnThread(() =>
        {
            ThreadCapabilities.Set(netBind | chown, netBind | chown, netBind);
            ThreadCapabilities.RaiseAmbient(10);
            var a = Status("CapAmb");
            var isSet = ThreadCapabilities.InAmbient(10);
            ThreadCapabilities.ClearAmbient();
            return (ThreadCapabilities.Get(), a, isSet && Status("CapAmb") == 0);
        });
        Assert.Equal(new CapabilitySets(netBind | chown, netBind | chown, netBind), sets);
        Assert.Equal(netBind, ambient);
        Assert.True(amb);
    }

    [Fact]
    public void RaisingAnAmbientCapabilityOutsideInheritableFailsNamingIt()
    {
        Root.Require();
        var e = OnOwnThread(() => Assert.Throws<LinuxException>(() => ThreadCapabilities.RaiseAmbient(CapabilityNames.GetNumber("CAP_KILL"))));
        Assert.Equal(Errnos.EPERM, e.Errno);
        Assert.Contains("CAP_KILL", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EffectiveOutsidePermittedIsRefused()
    {
        Root.Require();
        var e = OnOwnThread(() => Assert.Throws<LinuxException>(() => ThreadCapabilities.Set(effective: 3, permitted: 1, inheritable: 0)));
        Assert.Equal("capset", e.Syscall);
    }

    [Fact]
    public void NoNewPrivilegesIsSetOnTheThread()
    {
        Root.Require();
        var (before, after, status) = OnOwnThread(() =>
        {
            var b = ThreadCapabilities.GetNoNewPrivileges();
            ThreadCapabilities.SetNoNewPrivileges();
            return (b, ThreadCapabilities.GetNoNewPrivileges(), Status("NoNewPrivs"));
        });
        Assert.False(before);
        Assert.True(after);
        Assert.Equal(1UL, status);
    }

    [Fact]
    public void KeepCapsCanBeSetAndCleared()
    {
        Root.Require();
        var values = OnOwnThread(() =>
        {
            ThreadCapabilities.SetKeepCaps(true);
            var on = Interop.Libc.Prctl(Interop.Libc.PR_GET_KEEPCAPS, 0, 0, 0, 0);
            ThreadCapabilities.SetKeepCaps(false);
            return (on, Interop.Libc.Prctl(Interop.Libc.PR_GET_KEEPCAPS, 0, 0, 0, 0));
        });
        Assert.Equal((1, 0), values);
    }

    private static T OnOwnThread<T>(Func<T> body)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = body();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            throw new InvalidOperationException("the capability thread failed: " + error.Message, error);
        }
        return result;
    }

    private static ulong Status(string field)
    {
        var line = File.ReadLines("/proc/thread-self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return ulong.Parse(line[(field.Length + 1)..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
