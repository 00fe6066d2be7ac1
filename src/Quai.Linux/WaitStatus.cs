namespace Quai.Linux;

/// <summary>A decoded wait(2) status.</summary>
public readonly record struct WaitStatus(int Raw)
{
    /// <summary>True when the process called exit.</summary>
    public bool Exited => (Raw & 0x7f) == 0;

    /// <summary>The exit code when <see cref="Exited"/>.</summary>
    public int ExitCode => (Raw >> 8) & 0xff;

    /// <summary>The terminating signal, or 0.</summary>
    public int TermSignal => Exited ? 0 : Raw & 0x7f;

    /// <summary>The shell convention: the exit code, or 128 + signal when killed by one.</summary>
    public int ShellExitCode => Exited ? ExitCode : 128 + TermSignal;
}
