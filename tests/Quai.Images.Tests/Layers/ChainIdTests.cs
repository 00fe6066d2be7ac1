using Quai.Images.Layers;
using Quai.Oci;

namespace Quai.Images.Tests.Layers;

public sealed class ChainIdTests
{
    // Values computed independently (Python hashlib) from config.md#layer-chainid's definition.
    private static readonly Digest A = Digest.Parse("sha256:f191e625176e7514249870c60bc24622131b04927a418001d1969c9cecd260f1");
    private static readonly Digest B = Digest.Parse("sha256:77c7ed05b2e49df2e55d70cb007508cc66b2f5419a940bfd6f8749ba7db77c45");
    private static readonly Digest C = Digest.Parse("sha256:6483085b79dcef99d4d90b43a910666cdce078bf772da453728f8c385fbfdf2f");

    [Fact]
    public void Single_layer_chain_is_its_diff_id() => Assert.Equal(A, ChainId.Compute([A]));

    [Fact]
    public void Chains_match_known_values()
    {
        Assert.Equal("sha256:d440fc2ac5bfa225471b58c5d6b4283504f5dfbcd6251023a635cdcd0c058e3e", ChainId.Compute([A, B]).ToString());
        Assert.Equal("sha256:952689aceeac7e377b602804de533a4ad47ba634e3917ca7cb071e5ff2bff6cd", ChainId.Compute([A, B, C]).ToString());
        Assert.Equal([A, ChainId.Compute([A, B]), ChainId.Compute([A, B, C])], ChainId.ComputeAll([A, B, C]));
    }

    [Fact]
    public void Empty_chain_is_refused() => Assert.Throws<ArgumentException>(() => ChainId.Compute([]));
}
