using Quai.Cli.Api;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>`wait`: POST /containers/{id}/wait for each, printing each exit code.</summary>
internal static class WaitCommand
{
    public static readonly Command Definition = new("container wait", "CONTAINER [CONTAINER...]", "Block until one or more containers stop, then print their exit codes",
        [], (ctx, f) => Helpers.ForEachAsync(ctx, f.Args, async c =>
        {
            var r = await ctx.Client.PostJsonAsync($"/containers/{DockerClient.Esc(c)}/wait").ConfigureAwait(false);
            await ctx.Out.WriteLineAsync(Helpers.L(r, "StatusCode").ToString(System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }))
    { Aliases = ["wait"], MinArgs = 1 };
}
