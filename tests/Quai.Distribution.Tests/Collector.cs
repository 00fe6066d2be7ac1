using System.Collections.Concurrent;

namespace Quai.Distribution.Tests;

/// <summary>A synchronous IProgress that keeps every event (Progress&lt;T&gt; posts later, which tests cannot wait for).</summary>
internal sealed class Collector<T> : IProgress<T>
{
    private readonly ConcurrentQueue<T> _events = new();

    public IReadOnlyList<T> Events => [.. _events];

    public void Report(T value) => _events.Enqueue(value);
}
