using System.Globalization;

namespace Quai.Runtime.Security;

/// <summary>process.oomScoreAdj (config.md#linux-process): /proc/self/oom_score_adj (proc(5)).</summary>
public static class OomScoreAdj
{
    /// <summary>The valid range (OOM_SCORE_ADJ_MIN..MAX).</summary>
    public const int Min = -1000;

    /// <summary>The valid range's upper end.</summary>
    public const int Max = 1000;

    /// <summary>The calling process's current value.</summary>
    public static int Get() =>
        int.Parse(File.ReadAllText("/proc/self/oom_score_adj").Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>
    /// Writes <paramref name="value"/>. Lowering it below the value the process started with
    /// needs CAP_SYS_RESOURCE; the error says so.
    /// </summary>
    public static void Apply(int value)
    {
        if (value is < Min or > Max)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"process.oomScoreAdj {value} is outside {Min}..{Max}");
        }
        var current = Get();
        if (current == value)
        {
            return;
        }
        try
        {
            File.WriteAllText("/proc/self/oom_score_adj", value.ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new InvalidOperationException(
                $"cannot set process.oomScoreAdj to {value} (current {current}): {e.Message.TrimEnd('.')}; lowering it needs CAP_SYS_RESOURCE, which this runtime lacks", e);
        }
    }
}
