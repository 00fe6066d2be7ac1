namespace Quai.Engine;

/// <summary>An engine failure of a known kind, with a message that names the object and what to do.</summary>
public sealed class EngineException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EngineException(EngineErrorKind kind, string message, Exception? inner = null)
        : base(message, inner) => Kind = kind;

    /// <summary>What kind of failure this is.</summary>
    public EngineErrorKind Kind { get; }

    /// <summary>docker's "No such container: x".</summary>
    public static EngineException NoSuchContainer(string nameOrId) => new(EngineErrorKind.NotFound, $"No such container: {nameOrId}");

    /// <summary>A bad request.</summary>
    public static EngineException Invalid(string message) => new(EngineErrorKind.InvalidArgument, message);

    /// <summary>A state conflict.</summary>
    public static EngineException Conflict(string message) => new(EngineErrorKind.Conflict, message);
}
