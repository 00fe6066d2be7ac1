namespace Quai.Runtime.Processes;

/// <summary>Frame types of the parent ↔ init handshake (<see cref="InitChannel"/>).</summary>
public enum InitMessage : byte
{
    /// <summary>Parent → init: the <see cref="InitBootstrap"/> JSON; also "go" (sent after cgroup placement).</summary>
    Bootstrap = 1,

    /// <summary>Init → parent: mounts are done, run prestart and createRuntime hooks now.</summary>
    RunHooks = 2,

    /// <summary>Parent → init: hooks ran.</summary>
    HooksDone = 3,

    /// <summary>Init → parent: ready; now waiting on the exec fifo (or, for exec-init, about to execve).</summary>
    Ready = 4,

    /// <summary>Either way: a failure, UTF-8 message as payload.</summary>
    Error = 5,
}
