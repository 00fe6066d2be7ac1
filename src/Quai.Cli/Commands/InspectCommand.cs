using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Quai.Cli.Api;
using Quai.Cli.Formatting;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>
/// `inspect` and the per-type inspects: the daemon's JSON re-indented with 4 spaces inside a
/// JSON array (docker's json.Indent of the raw bytes), or a `-f` template per object.
/// </summary>
internal static class InspectCommand
{
    private static readonly Flag[] Flags =
    [
        Flag.Str("format", 'f', "Format output using a custom template"),
        Flag.Bool("size", 's', "Display total file sizes if the type is container"),
        Flag.Str("type", '\0', "Only inspect objects of the given type"),
    ];

    public static readonly Command Any = new("inspect", "[OPTIONS] NAME|ID [NAME|ID...]", "Return low-level information on Docker objects",
        Flags, (ctx, f) => RunAsync(ctx, f, f.Str("type")))
    { MinArgs = 1 };

    public static readonly Command Container = new("container inspect", "[OPTIONS] CONTAINER [CONTAINER...]", "Display detailed information on one or more containers",
        Flags, (ctx, f) => RunAsync(ctx, f, "container"))
    { MinArgs = 1 };

    public static readonly Command Image = new("image inspect", "[OPTIONS] IMAGE [IMAGE...]", "Display detailed information on one or more images",
        Flags, (ctx, f) => RunAsync(ctx, f, "image"))
    { MinArgs = 1 };

    public static readonly Command Volume = new("volume inspect", "[OPTIONS] VOLUME [VOLUME...]", "Display detailed information on one or more volumes",
        Flags, (ctx, f) => RunAsync(ctx, f, "volume"))
    { MinArgs = 1 };

    public static readonly Command Network = new("network inspect", "[OPTIONS] NETWORK [NETWORK...]", "Display detailed information on one or more networks",
        Flags, (ctx, f) => RunAsync(ctx, f, "network"))
    { MinArgs = 1 };

    private static async Task<int> RunAsync(CliContext ctx, ParsedArgs f, string? type)
    {
        if (type is not (null or "container" or "image" or "volume" or "network"))
        {
            throw new CliException($"\"{type}\" is not a valid value for --type");
        }
        var template = f.Str("format") is { } fmt ? GoTemplate.Parse(fmt.Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal)) : null;
        var found = new List<byte[]>();
        var errors = new List<string>();
        foreach (var name in f.Args)
        {
            var raw = await FindAsync(ctx, name, type, f.Bool("size")).ConfigureAwait(false);
            if (raw is null)
            {
                errors.Add(type is null ? $"Error: No such object: {name}" : $"Error: No such {type}: {name}");
                continue;
            }
            found.Add(raw);
        }
        var sb = new StringBuilder();
        if (template is not null)
        {
            foreach (var raw in found)
            {
                sb.Append(template.Execute(JsonNode.Parse(raw))).Append('\n');
            }
        }
        else
        {
            sb.Append('[');
            for (var i = 0; i < found.Count; i++)
            {
                sb.Append(i == 0 ? "\n    " : ",\n    ");
                sb.Append(GoJson.Indent(found[i], "    ", "    "));
            }
            sb.Append(found.Count == 0 ? "]\n" : "\n]\n");
        }
        await ctx.Out.WriteAsync(sb.ToString()).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            await ctx.Err.WriteLineAsync(string.Join('\n', errors)).ConfigureAwait(false);
            return 1;
        }
        return 0;
    }

    private static async Task<byte[]?> FindAsync(CliContext ctx, string name, string? type, bool size)
    {
        var esc = DockerClient.Esc(name);
        var paths = new List<(string Type, string Path)>
        {
            ("container", $"/containers/{esc}/json" + (size ? "?size=1" : "")),
            ("image", $"/images/{esc}/json"),
            ("network", $"/networks/{esc}"),
            ("volume", $"/volumes/{esc}"),
        };
        foreach (var (t, path) in paths.Where(p => type is null || p.Type == type))
        {
            try
            {
                return TrimNewline(await ctx.Client.GetBytesAsync(path).ConfigureAwait(false));
            }
            catch (DockerApiException e) when (e.Status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
            {
                if (type is not null && e.Status != HttpStatusCode.NotFound)
                {
                    throw;
                }
            }
        }
        return null;
    }

    private static byte[] TrimNewline(byte[] b)
    {
        var n = b.Length;
        while (n > 0 && b[n - 1] is (byte)'\n' or (byte)'\r' or (byte)' ')
        {
            n--;
        }
        return b[..n];
    }
}
