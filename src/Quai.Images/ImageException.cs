namespace Quai.Images;

/// <summary>A failure of the image subsystem, classified by <see cref="ImageErrorKind"/>.</summary>
public sealed class ImageException : Exception
{
    public ImageException(ImageErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    public ImageException()
        : this(ImageErrorKind.InvalidArgument, "image operation failed")
    {
    }

    public ImageException(string message)
        : this(ImageErrorKind.InvalidArgument, message)
    {
    }

    public ImageException(string message, Exception inner)
        : this(ImageErrorKind.InvalidArgument, message, inner)
    {
    }

    /// <summary>What kind of failure this is.</summary>
    public ImageErrorKind Kind { get; }

    /// <summary>A not-found error naming <paramref name="what"/>.</summary>
    public static ImageException NotFound(string what) => new(ImageErrorKind.NotFound, what);
}
