using System.Threading.Channels;
using Quai.Api.Models;

namespace Quai.Engine.Events;

/// <summary>
/// The daemon's event stream (GET /events): every container, image, volume and network action is
/// published here; subscribers get live events, and a bounded history answers `--since`.
/// </summary>
public sealed class EventBus
{
    private const int HistoryLimit = 1024;
    private readonly Lock _gate = new();
    private readonly LinkedList<EventMessage> _history = new();
    private readonly List<Channel<EventMessage>> _subscribers = [];

    /// <summary>Publishes an event of <paramref name="type"/> (container, image, volume, network).</summary>
    public void Publish(string type, string action, string id, IReadOnlyDictionary<string, string>? attributes = null)
    {
        var now = DateTimeOffset.UtcNow;
        var nanos = (now.ToUnixTimeMilliseconds() * 1_000_000) + (now.Ticks % TimeSpan.TicksPerMillisecond * 100);
        var message = new EventMessage
        {
            Type = type,
            Action = action,
            Actor = new EventActor { ID = id, Attributes = attributes is null ? [] : new Dictionary<string, string>(attributes) },
            Scope = "local",
            Time = now.ToUnixTimeSeconds(),
            TimeNano = nanos,
        };
        lock (_gate)
        {
            _history.AddLast(message);
            if (_history.Count > HistoryLimit)
            {
                _history.RemoveFirst();
            }
            foreach (var s in _subscribers)
            {
                s.Writer.TryWrite(message);
            }
        }
    }

    /// <summary>
    /// Subscribes: past events since <paramref name="sinceNanos"/> (if given) first, then live ones.
    /// Dispose the subscription to stop.
    /// </summary>
    public Subscription Subscribe(long? sinceNanos)
    {
        var channel = Channel.CreateBounded<EventMessage>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            if (sinceNanos is { } since)
            {
                foreach (var e in _history)
                {
                    if (e.TimeNano >= since)
                    {
                        channel.Writer.TryWrite(e);
                    }
                }
            }
            _subscribers.Add(channel);
        }
        return new Subscription(this, channel);
    }

    private void Remove(Channel<EventMessage> channel)
    {
        lock (_gate)
        {
            _subscribers.Remove(channel);
        }
        channel.Writer.TryComplete();
    }

    /// <summary>A live feed of events.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly EventBus _bus;
        private readonly Channel<EventMessage> _channel;

        internal Subscription(EventBus bus, Channel<EventMessage> channel)
        {
            _bus = bus;
            _channel = channel;
        }

        /// <summary>The events, in order.</summary>
        public ChannelReader<EventMessage> Reader => _channel.Reader;

        /// <inheritdoc/>
        public void Dispose() => _bus.Remove(_channel);
    }
}
