using System.Text.Json;
using Quai.Api.Models;
using Quai.Cli.Api;
using Quai.Cli.Parsing;
using Quai.Cli.Terminal;

namespace Quai.Cli.Commands;

/// <summary>`exec`: POST /containers/{id}/exec, then /exec/{id}/start hijacked (or detached), then the exit code from /exec/{id}/json.</summary>
internal static class ExecCommand
{
    public static readonly Command Definition = new("container exec", "[OPTIONS] CONTAINER COMMAND [ARG...]", "Execute a command in a running container",
        [
            Flag.Bool("detach", 'd', "Detached mode: run command in the background"),
            Flag.Str("detach-keys", '\0', "Override the key sequence for detaching a container"),
            Flag.List("env", 'e', "Set environment variables"),
            Flag.List("env-file", '\0', "Read in a file of environment variables"),
            Flag.Bool("interactive", 'i', "Keep STDIN open even if not attached"),
            Flag.Bool("privileged", '\0', "Give extended privileges to the command"),
            Flag.Bool("tty", 't', "Allocate a pseudo-TTY"),
            Flag.Str("user", 'u', "Username or UID (format: \"<name|uid>[:<group|gid>]\")"),
            Flag.Str("workdir", 'w', "Working directory inside the container"),
        ], RunAsync)
    { Aliases = ["exec"], MinArgs = 2, Interspersed = false };

    private static async Task<int> RunAsync(CliContext ctx, ParsedArgs f)
    {
        var container = DockerClient.Esc(f.Args[0]);
        var tty = f.Bool("tty");
        var interactive = f.Bool("interactive");
        var detach = f.Bool("detach");
        if (tty && interactive && !ctx.StdinIsTerminal)
        {
            throw new CliException("the input device is not a TTY");
        }
        var env = new List<string>();
        foreach (var file in f.List("env-file"))
        {
            env.AddRange(Helpers.ReadEnvFile(ctx, file));
        }
        foreach (var e in f.List("env"))
        {
            if (e.Contains('=', StringComparison.Ordinal))
            {
                env.Add(e);
            }
            else if (ctx.Env(e) is { } v)
            {
                env.Add(e + "=" + v);
            }
        }
        var size = tty ? RawTerminal.Size(1) : null;
        List<long>? consoleSize = size is { } s ? [s.Rows, s.Cols] : null;
        var config = new ExecConfig
        {
            User = f.Str("user", ""),
            Privileged = f.Bool("privileged"),
            Tty = tty,
            ConsoleSize = consoleSize,
            AttachStdin = interactive && !detach,
            AttachStderr = !detach,
            AttachStdout = !detach,
            DetachKeys = f.Str("detach-keys", ""),
            Env = env.Count == 0 ? null : env,
            WorkingDir = f.Str("workdir", ""),
            Cmd = [.. f.Args.Skip(1)],
        };
        var created = await ctx.Client.PostAsync($"/containers/{container}/exec", config, ApiJsonContext.Default.ExecConfig, ApiJsonContext.Default.IDResponse).ConfigureAwait(false);
        var execId = created?.Id ?? throw new CliException("the daemon answered the exec create without an Id");
        if (detach)
        {
            await ctx.Client.PostAsync($"/exec/{execId}/start", new ExecStartConfig { Detach = true, Tty = tty }, ApiJsonContext.Default.ExecStartConfig).ConfigureAwait(false);
            return 0;
        }
        var start = JsonSerializer.Serialize(new ExecStartConfig { Detach = false, Tty = tty, ConsoleSize = consoleSize }, ApiJsonContext.Default.ExecStartConfig);
        using var cts = new CancellationTokenSource();
        await using var conn = await HijackedConnection.OpenAsync(ctx.Client, $"/exec/{execId}/start", start, cts.Token).ConfigureAwait(false);
        using var raw = tty && interactive ? RawTerminal.MakeRaw(0) : null;
        using var resize = tty ? AttachSession.MonitorSize((h, w) => ctx.Client.PostJsonAsync($"/exec/{execId}/resize?h={h}&w={w}")) : null;
        bool detached;
        try
        {
            detached = await new AttachSession(ctx, conn, tty, interactive, f.Str("detach-keys")).RunAsync(cts.Token).ConfigureAwait(false);
        }
        finally
        {
            raw?.Restore();
        }
        if (detached)
        {
            return 0;
        }
        var inspect = await ctx.Client.GetAsync($"/exec/{execId}/json", ApiJsonContext.Default.ExecInspectResponse).ConfigureAwait(false);
        return inspect?.ExitCode ?? 0;
    }
}
