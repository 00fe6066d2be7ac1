using System.Formats.Tar;
using System.Text;
using System.Text.Json.Nodes;
using Quai.Cli.Api;
using Quai.Cli.Parsing;

namespace Quai.Cli.Commands;

/// <summary>
/// `cp`: container→host through GET /containers/{id}/archive?path= (a tar, extracted locally or
/// written to stdout for `-`), host→container through PUT /containers/{id}/archive?path=DIR
/// (a tar of the source, or stdin for `-`), with docker's rename-on-copy rules.
/// </summary>
internal static class CpCommand
{
    public static readonly Command Definition = new("container cp", "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tquai cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH", "Copy files/folders between a container and the local filesystem",
        [
            Flag.Bool("archive", 'a', "Archive mode (copy all uid/gid information)"),
            Flag.Bool("follow-link", 'L', "Always follow symbol link in SRC_PATH"),
            Flag.Bool("quiet", 'q', "Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached"),
        ], RunAsync)
    { Aliases = ["cp"], MinArgs = 2, MaxArgs = 2 };

    private static async Task<int> RunAsync(CliContext ctx, ParsedArgs f)
    {
        var (srcContainer, srcPath) = Split(f.Args[0]);
        var (dstContainer, dstPath) = Split(f.Args[1]);
        if (srcContainer is not null && dstContainer is not null)
        {
            throw new CliException("copying between containers is not supported");
        }
        if (srcContainer is null && dstContainer is null)
        {
            throw new CliException("must specify at least one container source");
        }
        if (srcContainer is not null)
        {
            await FromContainerAsync(ctx, srcContainer, srcPath, dstPath).ConfigureAwait(false);
        }
        else
        {
            await ToContainerAsync(ctx, srcPath, dstContainer!, dstPath, f.Bool("archive")).ConfigureAwait(false);
        }
        return 0;
    }

    private static (string? Container, string Path) Split(string arg)
    {
        if (arg.StartsWith('/') || arg.StartsWith('.') || arg == "-")
        {
            return (null, arg);
        }
        var colon = arg.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? (null, arg) : (arg[..colon], arg[(colon + 1)..]);
    }

    private static async Task FromContainerAsync(CliContext ctx, string container, string srcPath, string dstPath)
    {
        using var response = await ctx.Client.SendAsync(HttpMethod.Get, $"/containers/{DockerClient.Esc(container)}/archive" + Helpers.Query(("path", srcPath)), streaming: true).ConfigureAwait(false);
        await using var tar = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        if (dstPath == "-")
        {
            await tar.CopyToAsync(ctx.StdOut).ConfigureAwait(false);
            return;
        }
        // The tar's top entry is the source's base name; docker renames it to the destination
        // when the destination does not exist (or is a file), and copies into it when it is a directory.
        var stat = response.Headers.TryGetValues("X-Docker-Container-Path-Stat", out var v) ? JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(v.First()))) : null;
        var srcName = Helpers.S(stat, "name");
        if (srcName.Length == 0)
        {
            srcName = Path.GetFileName(srcPath.TrimEnd('/'));
        }
        string targetDir;
        string? rename = null;
        if (Directory.Exists(dstPath))
        {
            targetDir = dstPath;
        }
        else
        {
            if (dstPath.EndsWith('/'))
            {
                throw new CliException($"invalid output path: directory \"{dstPath}\" does not exist");
            }
            targetDir = Path.GetDirectoryName(Path.GetFullPath(dstPath))!;
            if (!Directory.Exists(targetDir))
            {
                throw new CliException($"invalid output path: directory \"{targetDir}\" does not exist");
            }
            rename = Path.GetFileName(dstPath);
        }
        using var reader = new TarReader(tar);
        while (await reader.GetNextEntryAsync().ConfigureAwait(false) is { } entry)
        {
            var name = entry.Name.TrimStart('/');
            if (rename is not null)
            {
                name = name == srcName || name == srcName + "/" ? rename : name.StartsWith(srcName + "/", StringComparison.Ordinal) ? rename + name[srcName.Length..] : name;
            }
            var target = Path.GetFullPath(Path.Combine(targetDir, name));
            if (!target.StartsWith(Path.GetFullPath(targetDir), StringComparison.Ordinal))
            {
                throw new CliException($"refusing to extract {entry.Name} outside {targetDir}");
            }
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(target);
                    File.SetUnixFileMode(target, entry.Mode);
                    break;
                case TarEntryType.SymbolicLink:
                    if (File.Exists(target) || Directory.Exists(target))
                    {
                        File.Delete(target);
                    }
                    File.CreateSymbolicLink(target, entry.LinkName);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    await entry.ExtractToFileAsync(target, overwrite: true).ConfigureAwait(false);
                    break;
                default:
                    break;
            }
        }
    }

    private static async Task ToContainerAsync(CliContext ctx, string srcPath, string container, string dstPath, bool archive)
    {
        var c = DockerClient.Esc(container);
        HttpContent body;
        string targetDir = dstPath;
        if (srcPath == "-")
        {
            body = new StreamContent(ctx.StdIn);
        }
        else
        {
            var full = Path.GetFullPath(srcPath);
            if (!File.Exists(full) && !Directory.Exists(full))
            {
                throw new CliException($"lstat {full}: no such file or directory");
            }
            // Does the destination exist in the container? HEAD .../archive answers with its stat.
            var name = Path.GetFileName(full.TrimEnd('/'));
            var isDir = false;
            try
            {
                using var head = await ctx.Client.SendAsync(HttpMethod.Head, $"/containers/{c}/archive" + Helpers.Query(("path", dstPath))).ConfigureAwait(false);
                if (head.Headers.TryGetValues("X-Docker-Container-Path-Stat", out var v))
                {
                    var stat = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(v.First())));
                    isDir = (Helpers.L(stat, "mode") & (1L << 31)) != 0;
                }
            }
            catch (DockerApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
            {
                if (dstPath.EndsWith('/'))
                {
                    throw new CliException($"Error response from daemon: Could not find the file {dstPath} in container {container}");
                }
            }
            string entryName;
            if (isDir)
            {
                targetDir = dstPath;
                entryName = name;
            }
            else
            {
                targetDir = dstPath.Contains('/', StringComparison.Ordinal) ? dstPath[..(dstPath.LastIndexOf('/') + 1)] : ".";
                if (targetDir.Length == 0)
                {
                    targetDir = "/";
                }
                entryName = dstPath[(dstPath.LastIndexOf('/') + 1)..];
            }
            body = new TarContent(full, entryName);
        }
        using var content = body;
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
        using var r = await ctx.Client.SendAsync(HttpMethod.Put, $"/containers/{c}/archive" + Helpers.Query(("path", targetDir), ("noOverwriteDirNonDir", "true"), ("copyUIDGID", archive ? "true" : null)), content).ConfigureAwait(false);
    }

    /// <summary>
    /// The request body of `cp SRC CONTAINER:DST`: a tar of SRC written straight into the request
    /// (chunked), as the docker CLI streams it, so a large tree never sits in memory. The tar keeps
    /// the local owners; the daemon maps them to the container's root unless copyUIDGID (cp -a)
    /// asks to keep them.
    /// </summary>
    private sealed class TarContent(string source, string entryName) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
            await using (writer.ConfigureAwait(false))
            {
                await writer.WriteEntryAsync(source, entryName).ConfigureAwait(false);
                if (Directory.Exists(source))
                {
                    foreach (var p in Directory.EnumerateFileSystemEntries(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                    {
                        await writer.WriteEntryAsync(p, entryName + "/" + Path.GetRelativePath(source, p)).ConfigureAwait(false);
                    }
                }
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
