namespace Quai.Testing;

/// <summary>What one invocation of an OCI runtime binary produced.</summary>
/// <param name="CommandLine">The full command line, for failure messages.</param>
/// <param name="ExitCode">The runtime's exit status (128+signal when it was killed).</param>
/// <param name="Stdout">Everything written to stdout.</param>
/// <param name="Stderr">Everything written to stderr.</param>
public sealed record RuntimeResult(string CommandLine, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Throws with the command line, exit code and both streams unless the exit code is 0.</summary>
    public RuntimeResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException($"`{CommandLine}` exited {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}");
        }
        return this;
    }

    /// <inheritdoc/>
    public override string ToString() => $"`{CommandLine}` exited {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
