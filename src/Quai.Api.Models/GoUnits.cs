namespace Quai.Api.Models;

/// <summary>
/// docker's human texts for durations (github.com/docker/go-units), shared by the daemon (ps
/// STATUS: "Up 3 seconds") and the CLI ("5 minutes ago"), so both print the same words.
/// </summary>
public static class GoUnits
{
    /// <summary>go-units HumanDuration ("Less than a second", "3 seconds", "About a minute", "2 hours").</summary>
    public static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < 1)
        {
            return "Less than a second";
        }
        if (seconds == 1)
        {
            return "1 second";
        }
        if (seconds < 60)
        {
            return $"{seconds} seconds";
        }
        var minutes = (long)d.TotalMinutes;
        if (minutes == 1)
        {
            return "About a minute";
        }
        if (minutes < 60)
        {
            return $"{minutes} minutes";
        }
        var hours = (long)(d.TotalHours + 0.5);
        if (hours == 1)
        {
            return "About an hour";
        }
        if (hours < 48)
        {
            return $"{hours} hours";
        }
        if (hours < 24 * 7 * 2)
        {
            return $"{hours / 24} days";
        }
        if (hours < 24 * 30 * 2)
        {
            return $"{hours / 24 / 7} weeks";
        }
        if (hours < 24 * 365 * 2)
        {
            return $"{hours / 24 / 30} months";
        }
        return $"{(long)d.TotalHours / 24 / 365} years";
    }
}
