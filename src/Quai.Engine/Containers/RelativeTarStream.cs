using System.Formats.Tar;
using System.IO.Pipelines;

namespace Quai.Engine.Containers;

/// <summary>
/// The tar of PUT /containers/{id}/archive with its entry names made relative. Clients may name
/// entries absolutely (Testcontainers' resource mappings send "/www/index.html" to path=/);
/// moby's pkg/archive Unpack joins every name to the destination, so "/x" lands at DEST/x. The
/// layer applier refuses absolute names (image-spec layers only have relative ones), so they are
/// rewritten here, streaming; ".." stays refused by the applier.
/// </summary>
internal static class RelativeTarStream
{
    /// <summary>A stream of <paramref name="tar"/> re-written with relative names; a read fails if the tar is malformed.</summary>
    public static Stream Wrap(Stream tar, CancellationToken ct)
    {
        var pipe = new Pipe();
        _ = Task.Run(() => PumpAsync(tar, pipe.Writer, ct), CancellationToken.None);
        return pipe.Reader.AsStream();
    }

    private static async Task PumpAsync(Stream tar, PipeWriter output, CancellationToken ct)
    {
        try
        {
            var writer = new TarWriter(output.AsStream(leaveOpen: true), leaveOpen: false);
            await using (writer.ConfigureAwait(false))
            {
                var reader = new TarReader(tar, leaveOpen: true);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
                    {
                        entry.Name = Relative(entry.Name);
                        if (entry.EntryType == TarEntryType.HardLink)
                        {
                            // A hardlink names another entry of the same tar; symlink targets are
                            // resolved inside the container and keep their absolute form.
                            entry.LinkName = Relative(entry.LinkName);
                        }
                        await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                    }
                }
            }
            await output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await output.CompleteAsync(e).ConfigureAwait(false);
        }
    }

    private static string Relative(string name)
    {
        var trimmed = name.TrimStart('/');
        return trimmed.Length == 0 ? "./" : trimmed;
    }
}
