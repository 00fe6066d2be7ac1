namespace Quai.Shim.Client;

/// <summary>How a container (or exec process) ended.</summary>
/// <param name="ExitCode">The exit code, or 128 + signal when a signal killed it.</param>
/// <param name="Signal">The killing signal, or null.</param>
/// <param name="FinishedAt">When the shim reaped it.</param>
/// <param name="OomKilled">True when its memory cgroup recorded an OOM kill.</param>
public sealed record ExitStatus(int ExitCode, int? Signal, DateTimeOffset FinishedAt, bool OomKilled)
{
    /// <summary>Converts the wire form (exit.json, the wait reply).</summary>
    public static ExitStatus FromRecord(ExitRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.ExitCode, record.Signal, Rfc3339.Parse(record.FinishedAt), record.OomKilled);
    }
}
