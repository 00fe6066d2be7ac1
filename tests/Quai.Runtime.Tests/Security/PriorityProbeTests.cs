using Quai.Oci.Runtime;

namespace Quai.Runtime.Tests.Security;

/// <summary>Root integration: process.ioPriority and process.scheduler seen by a real exec'd program.</summary>
public class PriorityProbeTests
{
    [Fact]
    public void IoPriorityAndSchedulerSurviveExec()
    {
        var spec = SecurityProbe.Shell("ionice -p $$; grep -E '^(policy|prio) ' /proc/self/sched");
        spec.Process!.IoPriority = new IoPriority { Class = "IOPRIO_CLASS_BE", Priority = 6 };
        spec.Process.Scheduler = new Scheduler { Policy = "SCHED_BATCH", Nice = 7 };
        var result = SecurityProbe.Run(spec);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Trim().Split('\n');
        Assert.Equal("best-effort: prio 6", lines[0]);
        Assert.EndsWith(" 3", lines[1], StringComparison.Ordinal);   // SCHED_BATCH
        Assert.EndsWith(" 127", lines[2], StringComparison.Ordinal); // 120 + nice 7
    }

    [Fact]
    public void UnknownSchedulerPolicyStopsBeforeExec()
    {
        var spec = SecurityProbe.Shell("echo ran");
        spec.Process!.Scheduler = new Scheduler { Policy = "SCHED_TURBO" };
        var result = SecurityProbe.Run(spec);
        Assert.Equal(SecurityProbe.ProbeFailed, result.ExitCode);
        Assert.Contains("SCHED_TURBO", result.Stderr, StringComparison.Ordinal);
    }
}
