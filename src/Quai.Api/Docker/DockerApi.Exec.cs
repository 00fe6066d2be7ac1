using Quai.Api.Http;
using Quai.Api.Models;
using Quai.Engine;

namespace Quai.Api.Docker;

public sealed partial class DockerApi
{
    private void MapExec(Router r)
    {
        r.MapPost("/containers/{id}/exec", async ctx =>
        {
            var config = await ReadJsonAsync(ctx, ApiJsonContext.Default.ExecConfig).ConfigureAwait(false)
                ?? throw new EngineException(EngineErrorKind.InvalidArgument, "exec config cannot be empty");
            var id = _engine.Exec.Create(Id(ctx), config);
            ctx.Response.StatusCode = 201;
            await ctx.Response.WriteJsonAsync(new IDResponse { Id = id }, ApiJsonContext.Default.IDResponse, ctx.RequestAborted).ConfigureAwait(false);
        });
        r.MapPost("/exec/{id}/start", ExecStartAsync);
        r.MapPost("/exec/{id}/resize", async ctx =>
        {
            await _engine.Exec.ResizeAsync(Id(ctx), QInt(ctx, "h") ?? 0, QInt(ctx, "w") ?? 0, ctx.RequestAborted).ConfigureAwait(false);
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentLength = 0;
            await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
        });
        r.MapGet("/exec/{id}/json", ctx => ctx.Response.WriteJsonAsync(_engine.Exec.Inspect(Id(ctx)), ApiJsonContext.Default.ExecInspectResponse, ctx.RequestAborted));
    }

    /// <summary>
    /// POST /exec/{id}/start. As moby's postContainerExecStart: a detached start answers 200; an
    /// attached one hijacks first, then starts, and a start failure (a missing executable) is
    /// written into the stream, where the CLI shows it before reading the exit code (126/127)
    /// from exec inspect.
    /// </summary>
    private async Task ExecStartAsync(HttpContext ctx)
    {
        var config = await ReadJsonAsync(ctx, ApiJsonContext.Default.ExecStartConfig).ConfigureAwait(false) ?? new ExecStartConfig();
        var exec = _engine.Exec.Get(Id(ctx));
        if (config.Detach == true)
        {
            await _engine.Exec.StartAsync(exec.Id, detach: true, config.ConsoleSize, CancellationToken.None).ConfigureAwait(false);
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentLength = 0;
            await ctx.Response.StartAsync(ctx.RequestAborted).ConfigureAwait(false);
            return;
        }
        var tty = exec.Config.Tty == true;
        ctx.Response.Headers["Content-Type"] = StreamContentType(ctx, tty);
        var hijacked = await ctx.HijackAsync(ctx.Request.UpgradeProtocol, ctx.RequestAborted).ConfigureAwait(false);
        await using (hijacked.ConfigureAwait(false))
        {
            Quai.Shim.Client.ShimAttachment? attachment;
            try
            {
                attachment = await _engine.Exec.StartAsync(exec.Id, detach: false, config.ConsoleSize, CancellationToken.None).ConfigureAwait(false);
            }
            catch (EngineException e)
            {
                var text = System.Text.Encoding.UTF8.GetBytes(e.Message + "\r\n");
                if (!tty)
                {
                    await hijacked.WriteAsync(FrameHeader(1, text.Length), CancellationToken.None).ConfigureAwait(false);
                }
                await hijacked.WriteAsync(text, CancellationToken.None).ConfigureAwait(false);
                await hijacked.ShutdownSendAsync().ConfigureAwait(false);
                return;
            }
            await PipeAsync(hijacked, attachment!, tty, exec.Config.AttachStdin == true, ParseDetachKeys(exec.Config.DetachKeys), exec.Exited.Task).ConfigureAwait(false);
        }
    }
}
