using Quai.Cli.Api;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`logs`: GET /containers/{id}/json for Tty, then the logs stream (demultiplexed unless TTY).</summary>
internal static class LogsCommand
{
    public static readonly Command Definition = new("container logs", "[OPTIONS] CONTAINER", "Fetch the logs of a container",
        [
            Flag.Bool("details", '\0', "Show extra details provided to logs"),
            Flag.Bool("follow", 'f', "Follow log output"),
            Flag.Str("since", '\0', "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)"),
            Flag.Str("tail", 'n', "Number of lines to show from the end of the logs", "string", "\"all\""),
            Flag.Bool("timestamps", 't', "Show timestamps"),
            Flag.Str("until", '\0', "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)"),
        ], RunAsync)
    { Aliases = ["logs"], MinArgs = 1, MaxArgs = 1 };

    private static async Task<int> RunAsync(CliContext ctx, ParsedArgs f)
    {
        var name = DockerClient.Esc(f.Args[0]);
        var info = await ctx.Client.GetJsonAsync($"/containers/{name}/json").ConfigureAwait(false);
        var tty = info?["Config"]?["Tty"]?.GetValue<bool>() ?? false;
        var query = Helpers.Query(
            ("details", f.Bool("details") ? "1" : null),
            ("follow", f.Bool("follow") ? "1" : null),
            ("since", TimeArg(f.Str("since"))),
            ("stderr", "1"),
            ("stdout", "1"),
            ("tail", f.Str("tail")),
            ("timestamps", f.Bool("timestamps") ? "1" : null),
            ("until", TimeArg(f.Str("until"))));
        using var response = await ctx.Client.SendAsync(HttpMethod.Get, $"/containers/{Helpers.S(info, "Id")}/logs{query}", streaming: true).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        if (tty)
        {
            await body.CopyToAsync(ctx.StdOut).ConfigureAwait(false);
        }
        else
        {
            await StreamDemuxer.CopyAsync(body, ctx.StdOut, ctx.StdErr).ConfigureAwait(false);
        }
        return 0;
    }

    /// <summary>
    /// docker's timetypes.GetTimestamp: a relative duration ("42m") becomes now minus it, in Unix
    /// seconds; an RFC 3339 time its Unix seconds; a number is passed as is.
    /// </summary>
    internal static string? TimeArg(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (value.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            return value;
        }
        if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t))
        {
            return t.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var nanos = Helpers.GoDurationNanos(value);
        var at = DateTimeOffset.UtcNow.AddTicks(-nanos / 100);
        return (at.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000000000", System.Globalization.CultureInfo.InvariantCulture);
    }
}
