using Quai.Api.Models;
using Quai.Cli.Api;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`wait`: POST /containers/{id}/wait for each, printing each exit code.</summary>
internal static class WaitCommand
{
    public static readonly Command Definition = new("container wait", "CONTAINER [CONTAINER...]", "Block until one or more containers stop, then print their exit codes",
        [], (ctx, f) => Helpers.ForEachAsync(ctx, f.Args, async c =>
        {
            using var r = await ctx.Client.SendAsync(HttpMethod.Post, $"/containers/{DockerClient.Esc(c)}/wait").ConfigureAwait(false);
            var status = await DockerClient.ReadAsync(r, ApiJsonContext.Default.ContainerWaitResponse).ConfigureAwait(false);
            await ctx.Out.WriteLineAsync((status?.StatusCode ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }))
    { Aliases = ["wait"], MinArgs = 1 };
}
