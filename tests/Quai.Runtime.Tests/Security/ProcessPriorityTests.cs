using Quai.Oci.Runtime;
using Quai.Runtime.Security;

namespace Quai.Runtime.Tests.Security;

public class ProcessPriorityTests
{
    [Theory]
    [InlineData("IOPRIO_CLASS_RT", 0, (1 << 13) | 0)]
    [InlineData("IOPRIO_CLASS_BE", 4, (2 << 13) | 4)]
    [InlineData("IOPRIO_CLASS_IDLE", 7, (3 << 13) | 7)]
    public void IoPriorityValueIsClassShiftedAndLevel(string ioClass, int level, int value) =>
        Assert.Equal(value, ProcessPriority.IoPriorityValue(new IoPriority { Class = ioClass, Priority = level }));

    [Fact]
    public void BadIoPriorityIsRefused()
    {
        Assert.Throws<ArgumentException>(() => ProcessPriority.IoPriorityValue(new IoPriority { Class = "IOPRIO_CLASS_FAST" }));
        Assert.Throws<ArgumentException>(() => ProcessPriority.IoPriorityValue(new IoPriority { Class = "IOPRIO_CLASS_BE", Priority = 8 }));
    }

    [Fact]
    public void SchedulerAttributesFollowTheSpec()
    {
        var attr = ProcessPriority.SchedulerAttributes(new Scheduler { Policy = "SCHED_BATCH", Nice = 5, Flags = ["SCHED_FLAG_RESET_ON_FORK"] });
        Assert.Equal(48u, attr.Size);
        Assert.Equal(3u, attr.SchedPolicy);
        Assert.Equal(5, attr.SchedNice);
        Assert.Equal(1UL, attr.SchedFlags);
    }

    [Fact]
    public void UnknownPolicyIsRefused() =>
        Assert.Contains("SCHED_FAST", Assert.Throws<ArgumentException>(() => ProcessPriority.SchedulerAttributes(new Scheduler { Policy = "SCHED_FAST" })).Message, StringComparison.Ordinal);
}
