namespace Quai.Runtime.Tests.Rootfs;

/// <summary>The probe's exit code and output; <see cref="Values"/> holds its "KEY=value" lines.</summary>
public sealed record ProbeResult(int ExitCode, string Stdout, string Stderr)
{
    public IReadOnlyDictionary<string, string> Values { get; } = Stdout.Split('\n')
        .Select(l => l.Split('=', 2))
        .Where(p => p.Length == 2 && p[0].Length > 0 && p[0].All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_'))
        .GroupBy(p => p[0])
        .ToDictionary(g => g.Key, g => g.Last()[1]);

    public string this[string key] => Values.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"probe printed no {key}=; exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}");

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
