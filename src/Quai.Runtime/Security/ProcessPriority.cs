using Quai.Linux;
using Quai.Linux.Interop;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Security;

/// <summary>
/// process.ioPriority (ioprio_set(2)) and process.scheduler (sched_setattr(2)),
/// config.md#linux-process, runtime-spec 1.2. Both act on the calling thread and survive execve.
/// </summary>
public static unsafe class ProcessPriority
{
    private const int IoprioWhoProcess = 1;
    private const int IoprioClassShift = 13;

    /// <summary>The I/O priority value (class &lt;&lt; 13 | level) for the spec's class name and priority 0..7.</summary>
    public static int IoPriorityValue(IoPriority priority)
    {
        ArgumentNullException.ThrowIfNull(priority);
        var ioClass = priority.Class switch
        {
            "IOPRIO_CLASS_RT" => 1,
            "IOPRIO_CLASS_BE" => 2,
            "IOPRIO_CLASS_IDLE" => 3,
            _ => throw new ArgumentException($"process.ioPriority.class: unknown class \"{priority.Class}\"; expected IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE"),
        };
        if (priority.Priority is < 0 or > 7)
        {
            throw new ArgumentException($"process.ioPriority.priority {priority.Priority} is outside 0..7");
        }
        return (ioClass << IoprioClassShift) | priority.Priority;
    }

    /// <summary>Applies process.ioPriority to the calling thread.</summary>
    public static void ApplyIoPriority(IoPriority priority)
    {
        var value = IoPriorityValue(priority);
        if (Libc.IoprioSet(IoprioWhoProcess, 0, value) != 0)
        {
            var e = LinuxException.FromLastError("ioprio_set", priority.Class);
            throw new InvalidOperationException($"cannot set process.ioPriority {priority.Class}/{priority.Priority}: {e.Message}; IOPRIO_CLASS_RT needs CAP_SYS_ADMIN", e);
        }
    }

    /// <summary>The struct sched_attr for process.scheduler.</summary>
    public static Libc.SchedAttr SchedulerAttributes(Scheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        var policy = scheduler.Policy switch
        {
            "SCHED_OTHER" => 0u,
            "SCHED_FIFO" => 1u,
            "SCHED_RR" => 2u,
            "SCHED_BATCH" => 3u,
            "SCHED_ISO" => 4u,
            "SCHED_IDLE" => 5u,
            "SCHED_DEADLINE" => 6u,
            _ => throw new ArgumentException($"process.scheduler.policy: unknown policy \"{scheduler.Policy}\"; expected SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE or SCHED_DEADLINE"),
        };
        ulong flags = 0;
        foreach (var flag in scheduler.Flags ?? [])
        {
            flags |= flag switch
            {
                "SCHED_FLAG_RESET_ON_FORK" => 0x01UL,
                "SCHED_FLAG_RECLAIM" => 0x02UL,
                "SCHED_FLAG_DL_OVERRUN" => 0x04UL,
                "SCHED_FLAG_KEEP_POLICY" => 0x08UL,
                "SCHED_FLAG_KEEP_PARAMS" => 0x10UL,
                "SCHED_FLAG_UTIL_CLAMP_MIN" => 0x20UL,
                "SCHED_FLAG_UTIL_CLAMP_MAX" => 0x40UL,
                _ => throw new ArgumentException($"process.scheduler.flags: unknown flag \"{flag}\""),
            };
        }
        if (scheduler.Nice is < -20 or > 19)
        {
            throw new ArgumentException($"process.scheduler.nice {scheduler.Nice} is outside -20..19");
        }
        return new Libc.SchedAttr
        {
            Size = (uint)sizeof(Libc.SchedAttr),
            SchedPolicy = policy,
            SchedFlags = flags,
            SchedNice = scheduler.Nice ?? 0,
            SchedPriority = (uint)(scheduler.Priority ?? 0),
            SchedRuntime = scheduler.Runtime ?? 0,
            SchedDeadline = scheduler.Deadline ?? 0,
            SchedPeriod = scheduler.Period ?? 0,
        };
    }

    /// <summary>Applies process.scheduler to the calling thread.</summary>
    public static void ApplyScheduler(Scheduler scheduler)
    {
        var attr = SchedulerAttributes(scheduler);
        if (Libc.SchedSetattr(0, &attr, 0) != 0)
        {
            var e = LinuxException.FromLastError("sched_setattr", scheduler.Policy);
            throw new InvalidOperationException($"cannot set process.scheduler {scheduler.Policy}: {e.Message}; real-time policies and negative nice values need CAP_SYS_NICE", e);
        }
    }
}
