namespace Quai.Images.Store;

/// <summary>A container that uses an image, as the engine reports it to <see cref="ImageStore.RemoveAsync"/>.</summary>
/// <param name="ContainerId">The container's ID.</param>
/// <param name="Running">True when it runs: then even force does not remove the image (docker's rule).</param>
public sealed record ImageUse(string ContainerId, bool Running);
