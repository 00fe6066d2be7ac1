namespace Quai.E2E.Tests.Infra;

/// <summary>What a user sees of one command: its exit code, stdout and stderr.</summary>
public sealed record CliResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Stdout without the trailing newline(s).</summary>
    public string Out => Stdout.TrimEnd('\n', '\r');

    /// <summary>Stdout split into non-empty lines.</summary>
    public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Throws (naming the command, its exit code and stderr) unless the exit code is 0.</summary>
    public CliResult Ok()
    {
        if (ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"`{Command}` exited {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}");
        }
        return this;
    }

    /// <summary>Asserts the exit code, with the output in the message.</summary>
    public CliResult Exit(int expected)
    {
        if (ExitCode != expected)
        {
            throw new Xunit.Sdk.XunitException($"`{Command}` exited {ExitCode}, expected {expected}\nstdout: {Stdout}\nstderr: {Stderr}");
        }
        return this;
    }

    public override string ToString() => $"`{Command}` exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
