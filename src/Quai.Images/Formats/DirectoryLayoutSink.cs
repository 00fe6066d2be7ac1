namespace Quai.Images.Formats;

/// <summary>Writes layout files into a directory (an OCI image layout on disk).</summary>
internal sealed class DirectoryLayoutSink : ILayoutSink
{
    private readonly string _root;
    private readonly HashSet<string> _added = new(StringComparer.Ordinal);

    public DirectoryLayoutSink(string root)
    {
        _root = root;
        Directory.CreateDirectory(root);
    }

    public bool Contains(string path) => _added.Contains(path) || (path.StartsWith("blobs/", StringComparison.Ordinal) && File.Exists(Path.Combine(_root, path)));

    public async Task AddAsync(string path, Stream data, CancellationToken cancellationToken)
    {
        _added.Add(path);
        var full = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp";
        var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            await data.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
        }
        File.Move(temp, full, overwrite: true);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
