using Quai.Linux;
using Quai.Linux.Seccomp;

namespace Quai.Runtime.Security;

/// <summary>
/// The OCI seccomp vocabulary (config-linux.md#seccomp) mapped onto libseccomp's values:
/// actions, comparison operators and filter flags. Pure functions, no kernel calls.
/// </summary>
public static class SeccompMapping
{
    /// <summary>Every action name the spec defines.</summary>
    public static IReadOnlyList<string> ActionNames { get; } =
    [
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
    ];

    /// <summary>Every operator name the spec defines.</summary>
    public static IReadOnlyList<string> OperatorNames { get; } =
    [
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
    ];

    /// <summary>Every flag name the spec defines.</summary>
    public static IReadOnlyList<string> FlagNames { get; } =
    [
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    ];

    /// <summary>
    /// The libseccomp action for <paramref name="name"/>. ERRNO returns <paramref name="errnoRet"/>
    /// (EPERM when absent, config-linux.md#seccomp); TRACE passes it as the tracer's message.
    /// Any other action with an errnoRet is an error, as with runc.
    /// </summary>
    /// <param name="name">SCMP_ACT_*.</param>
    /// <param name="errnoRet">errnoRet (or defaultErrnoRet for the default action).</param>
    /// <param name="where">Where in config.json the action is, for error messages.</param>
    public static uint ParseAction(string name, uint? errnoRet, string where)
    {
        uint action = name switch
        {
            "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => SeccompActions.KillThread,
            "SCMP_ACT_KILL_PROCESS" => SeccompActions.KillProcess,
            "SCMP_ACT_TRAP" => SeccompActions.Trap,
            "SCMP_ACT_ERRNO" => SeccompActions.Errno(errnoRet ?? Errnos.EPERM),
            "SCMP_ACT_TRACE" => SeccompActions.Trace(errnoRet ?? Errnos.EPERM),
            "SCMP_ACT_ALLOW" => SeccompActions.Allow,
            "SCMP_ACT_LOG" => SeccompActions.Log,
            "SCMP_ACT_NOTIFY" => SeccompActions.Notify,
            _ => throw new ArgumentException($"{where}: unknown seccomp action \"{name}\"; expected one of {string.Join(", ", ActionNames)}"),
        };
        if (errnoRet is not null && name is not ("SCMP_ACT_ERRNO" or "SCMP_ACT_TRACE"))
        {
            throw new ArgumentException($"{where}: errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not {name}");
        }
        if (errnoRet is > 0xffff)
        {
            throw new ArgumentException($"{where}: errnoRet {errnoRet} does not fit in 16 bits");
        }
        return action;
    }

    /// <summary>The libseccomp comparison for an SCMP_CMP_* name.</summary>
    public static SeccompCompare ParseOperator(string name, string where) => name switch
    {
        "SCMP_CMP_NE" => SeccompCompare.NotEqual,
        "SCMP_CMP_LT" => SeccompCompare.LessThan,
        "SCMP_CMP_LE" => SeccompCompare.LessOrEqual,
        "SCMP_CMP_EQ" => SeccompCompare.Equal,
        "SCMP_CMP_GE" => SeccompCompare.GreaterOrEqual,
        "SCMP_CMP_GT" => SeccompCompare.GreaterThan,
        "SCMP_CMP_MASKED_EQ" => SeccompCompare.MaskedEqual,
        _ => throw new ArgumentException($"{where}: unknown seccomp operator \"{name}\"; expected one of {string.Join(", ", OperatorNames)}"),
    };

    /// <summary>
    /// The filter attribute a SECCOMP_FILTER_FLAG_* sets, and the libseccomp version that first
    /// supports it (seccomp_attr_set(3)).
    /// </summary>
    public static (SeccompFilterAttribute Attribute, Version MinimumLibseccomp) ParseFlag(string name) => name switch
    {
        "SECCOMP_FILTER_FLAG_TSYNC" => (SeccompFilterAttribute.CtlTsync, new Version(2, 2, 0)),
        "SECCOMP_FILTER_FLAG_LOG" => (SeccompFilterAttribute.CtlLog, new Version(2, 4, 0)),
        "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => (SeccompFilterAttribute.CtlSsb, new Version(2, 5, 0)),
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" => (SeccompFilterAttribute.CtlWaitKill, new Version(2, 6, 0)),
        _ => throw new ArgumentException($"linux.seccomp.flags: unknown flag \"{name}\"; expected one of {string.Join(", ", FlagNames)}"),
    };

    /// <summary>
    /// Groups a rule's conditions into libseccomp rules, following runc: all conditions in one
    /// rule (AND) unless some argument index appears more than once, which libseccomp refuses in
    /// one rule; then each condition becomes its own rule (so they match as OR).
    /// </summary>
    public static IReadOnlyList<ScmpArgCmp[]> GroupConditions(IReadOnlyList<ScmpArgCmp> conditions)
    {
        if (conditions.Count == 0)
        {
            return [[]];
        }
        var repeated = conditions.GroupBy(c => c.Arg).Any(g => g.Count() > 1);
        return repeated ? conditions.Select(c => new[] { c }).ToArray() : [conditions.ToArray()];
    }
}
