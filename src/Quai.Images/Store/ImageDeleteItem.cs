namespace Quai.Images.Store;

/// <summary>One line of docker's DELETE /images/{name} response: exactly one member is set.</summary>
/// <param name="Untagged">A reference that was removed.</param>
/// <param name="Deleted">An image ID that was deleted.</param>
public sealed record ImageDeleteItem(string? Untagged = null, string? Deleted = null);
