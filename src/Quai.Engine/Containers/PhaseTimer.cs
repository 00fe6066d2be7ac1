using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Quai.Engine.Containers;

/// <summary>
/// Wall time of the phases of one start or removal, for the daemon's debug log ("start abc123:
/// prepare 0.4 ms, network 0.9 ms, …"): where a slow `docker run` spends its time, without strace.
/// </summary>
internal sealed class PhaseTimer
{
    private readonly StringBuilder _text = new();
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _last;

    public PhaseTimer() => _last = _start;

    /// <summary>Ends the current phase under <paramref name="name"/>.</summary>
    public void Mark(string name)
    {
        var now = Stopwatch.GetTimestamp();
        _text.Append(_text.Length == 0 ? "" : ", ").Append(name).Append(' ')
            .Append(Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)).Append(" ms");
        _last = now;
    }

    /// <summary>The phases so far and the total.</summary>
    public override string ToString() =>
        _text + "; total " + Stopwatch.GetElapsedTime(_start).TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";
}
