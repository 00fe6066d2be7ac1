namespace Quai.Api.Models;

/// <summary>The `{}` value of docker's set-like maps (ExposedPorts, Volumes): only the keys matter.</summary>
public sealed class EmptyObject
{
    /// <summary>The one instance: the value carries nothing.</summary>
    public static readonly EmptyObject Instance = new();
}
