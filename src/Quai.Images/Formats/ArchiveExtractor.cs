using System.Formats.Tar;
using Quai.Images.Layers;

namespace Quai.Images.Formats;

/// <summary>
/// Unpacks an image archive (docker save, oci-archive) into a scratch directory. Only files and
/// directories are created; symlinks (legacy docker save links shared layers) become copies of
/// their in-archive target, so nothing in the archive can point outside the scratch directory.
/// </summary>
internal static class ArchiveExtractor
{
    public static async Task ExtractAsync(Stream archive, string dir, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dir);
        var links = new List<(string Path, string Target)>();
        var reader = new TarReader(archive, leaveOpen: true);
        await using (reader.ConfigureAwait(false))
        {
            while (await Next(reader, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                var path = TarPath.Clean(entry.Name, "archive entry");
                if (path.Length == 0)
                {
                    continue;
                }
                var full = Path.Combine(dir, path);
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(full);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                        var file = new FileStream(full, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                        await using (file.ConfigureAwait(false))
                        {
                            if (entry.DataStream is { } data)
                            {
                                await data.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                            }
                        }
                        break;
                    case TarEntryType.SymbolicLink or TarEntryType.HardLink:
                        var target = entry.EntryType == TarEntryType.HardLink ? entry.LinkName : CombineLink(path, entry.LinkName);
                        links.Add((path, TarPath.Clean(target, "archive link target")));
                        break;
                    case TarEntryType.GlobalExtendedAttributes:
                        break;
                    default:
                        throw new ImageException(ImageErrorKind.InvalidArgument, $"image archive entry \"{entry.Name}\" has type {entry.EntryType}, which an image archive never holds");
                }
            }
        }
        foreach (var (path, target) in links)
        {
            var source = Path.Combine(dir, target);
            if (!File.Exists(source))
            {
                throw new ImageException(ImageErrorKind.InvalidArgument, $"image archive link \"{path}\" points to \"{target}\", which is not a file in the archive");
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, path))!);
            File.Copy(source, Path.Combine(dir, path));
        }
    }

    private static string CombineLink(string path, string link)
    {
        if (link.StartsWith('/'))
        {
            return link; // refused by Clean as absolute
        }
        var parent = TarPath.Split(path).Parent;
        var parts = new List<string>(parent.Length == 0 ? [] : parent.Split('/'));
        foreach (var p in link.Split('/'))
        {
            if (p == "..")
            {
                if (parts.Count == 0)
                {
                    return "../" + link; // escapes: Clean refuses it
                }
                parts.RemoveAt(parts.Count - 1);
            }
            else if (p is not ("" or "."))
            {
                parts.Add(p);
            }
        }
        return string.Join('/', parts);
    }

    private static async Task<TarEntry?> Next(TarReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new ImageException(ImageErrorKind.InvalidArgument, $"not a valid image archive (tar): {e.Message}", e);
        }
    }
}
