using System.Text;
using Quai.Oci;

namespace Quai.Images.Layers;

/// <summary>Chain IDs of a layer stack (image-spec config.md#layer-chainid).</summary>
public static class ChainId
{
    /// <summary>
    /// ChainID(L₀) = DiffID(L₀); ChainID(L₀|…|Lₙ) = sha256(ChainID(L₀|…|Lₙ₋₁) + " " + DiffID(Lₙ)).
    /// Returns the chain ID of the whole list.
    /// </summary>
    public static Digest Compute(IReadOnlyList<Digest> diffIds)
    {
        var all = ComputeAll(diffIds);
        return all.Count == 0 ? throw new ArgumentException("a chain ID needs at least one diff ID", nameof(diffIds)) : all[^1];
    }

    /// <summary>The chain ID of every prefix: element i identifies layers 0..i (the snapshot keys of an unpacked image).</summary>
    public static IReadOnlyList<Digest> ComputeAll(IReadOnlyList<Digest> diffIds)
    {
        var result = new List<Digest>(diffIds.Count);
        foreach (var diffId in diffIds)
        {
            result.Add(result.Count == 0 ? diffId : Digest.FromBytes(Encoding.UTF8.GetBytes(result[^1] + " " + diffId)));
        }
        return result;
    }
}
