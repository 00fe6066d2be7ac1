namespace Quai.Oci.Tests;

public class DigestTests
{
    [Fact]
    public void ParsesSha256AndRoundTrips()
    {
        var s = "sha256:" + new string('a', 64);
        var d = Digest.Parse(s);
        Assert.Equal("sha256", d.Algorithm);
        Assert.Equal(s, d.ToString());
    }

    [Fact]
    public void ParsesSha512()
    {
        Assert.Equal("sha512", Digest.Parse("sha512:" + new string('0', 128)).Algorithm);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha256")]
    [InlineData("sha256:abc")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void RejectsMalformedDigestsNamingTheValue(string s)
    {
        var e = Assert.Throws<FormatException>(() => Digest.Parse(s));
        Assert.Contains(s, e.Message);
    }

    [Fact]
    public void FromBytesMatchesKnownSha256()
    {
        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Digest.FromBytes([]).ToString());
    }
}
