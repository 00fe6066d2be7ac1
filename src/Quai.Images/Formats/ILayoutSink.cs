namespace Quai.Images.Formats;

/// <summary>Where an image layout is written: a directory or a tar stream.</summary>
internal interface ILayoutSink : IAsyncDisposable
{
    /// <summary>Adds a file at relative <paramref name="path"/> with the content of <paramref name="data"/>.</summary>
    Task AddAsync(string path, Stream data, CancellationToken cancellationToken);

    /// <summary>True if <paramref name="path"/> was already added (blobs shared by images are written once).</summary>
    bool Contains(string path);
}
