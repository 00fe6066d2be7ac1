namespace Quai.Engine.Logs;

/// <summary>One line of a container's log: the stream (1 stdout, 2 stderr), when, and the bytes.</summary>
public readonly record struct LogEntry(int Stream, DateTimeOffset Time, ReadOnlyMemory<byte> Data);
