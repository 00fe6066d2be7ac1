namespace Quai.Runtime.Tests.Conformance;

/// <summary>config-linux.md#default-devices: the devices every container gets, usable through the device cgroup.</summary>
public sealed class DeviceTests
{
    [Theory]
    [MemberData(nameof(Runtimes.All), MemberType = typeof(Runtimes))]
    public void Default_devices_exist_and_are_allowed(string runtime)
    {
        // The default config denies every device ("a *:* rwm" deny) and relies on the runtime to
        // allow its default devices after the spec's rules, as runc and crun do.
        const string Script =
            "for d in null zero full random urandom tty ptmx; do [ -c /dev/$d ] || echo \"missing $d\"; done; " +
            "echo x > /dev/null || echo 'null not writable'; " +
            "for d in zero full random urandom; do [ \"$(head -c 4 /dev/$d | wc -c)\" = 4 ] || echo \"$d not readable\"; done; " +
            "echo done";
        var r = ConformanceContainer.RunScript(runtime, Script);
        Assert.True(r.ExitCode == 0 && r.Stdout == "done\n", r.ToString());
    }
}
