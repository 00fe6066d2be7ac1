using Quai.E2E.Tests.Infra;

namespace Quai.E2E.Tests;

/// <summary>
/// docker-compose 1.29 (docker-py, API 1.41 paths) brings up a web and an app service on the
/// project's own network with a named volume, lists them, shows their logs and takes it all down.
/// </summary>
public sealed partial class ComposeTests
{
    // web writes the page into the named volume before serving it; app resolves "web" through the
    // project network's DNS and prints what it fetches.
    private const string ComposeFile = """
        version: "2.4"
        services:
          web:
            image: busybox:latest
            command: ["sh", "-c", "echo hello-from-web > /www/index.html && exec httpd -f -p 80 -h /www"]
            volumes:
              - data:/www
          app:
            image: busybox:latest
            depends_on:
              - web
            command: ["sh", "-c", "while true; do wget -q -O - http://web/ || echo fetch-failed; sleep 1; done"]
        volumes:
          data: {}
        """;

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Up_ps_logs_down(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        using var dir = new Quai.Testing.TempDir();
        var file = Path.Combine(dir.Path, "docker-compose.yml");
        await File.WriteAllTextAsync(file, ComposeFile);
        var project = Daemon.Name("compose").Replace("-", "", StringComparison.Ordinal);
        Task<CliResult> Compose(params string[] args) =>
            Cli.RunAsync("docker-compose", ["--ansi", "never", "-p", project, "-f", file, .. args], d.Env(), null, TimeSpan.FromSeconds(90));
        var down = false;
        try
        {
            (await Compose("up", "-d")).Ok();

            var ps = (await Compose("ps")).Ok();
            foreach (var service in new[] { "web", "app" })
            {
                Assert.Contains(ps.Lines, l => l.StartsWith(project + "_" + service + "_1 ", StringComparison.Ordinal) && UpState().IsMatch(l));
            }
            Assert.Equal(["app", "web"], (await Compose("ps", "--services")).Ok().Lines.Order(StringComparer.Ordinal));

            await Poll.UntilAsync(async () =>
            {
                var logs = (await Compose("logs", "--no-color", "app")).Ok().Stdout;
                return logs.Contains("app_1  | hello-from-web", StringComparison.Ordinal) ? null : $"{kind}: app's logs never showed the page it fetched from web:\n{logs}";
            });

            // Both commands run as pid 1 with no SIGTERM handler: a 1 s grace period, not 10.
            (await Compose("down", "-v", "-t", "1")).Ok();
            down = true;
            Assert.Equal("", await d.Ok("ps", "-aq", "--filter", "label=com.docker.compose.project=" + project));
            Assert.DoesNotContain(project + "_default", (await d.Ok("network", "ls", "--format", "{{.Name}}")).Split('\n'));
            Assert.DoesNotContain(project + "_data", (await d.Ok("volume", "ls", "--format", "{{.Name}}")).Split('\n'));
        }
        finally
        {
            if (!down)
            {
                await Compose("down", "-v", "-t", "1");
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\sUp(\s|$)")]
    private static partial System.Text.RegularExpressions.Regex UpState();
}
