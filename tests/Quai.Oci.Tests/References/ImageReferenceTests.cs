using Quai.Oci.References;

namespace Quai.Oci.Tests.References;

// Cases from distribution/reference normalize_test.go and reference_test.go, re-stated as a table.
public class ImageReferenceTests
{
    private const string Hex = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    [Theory]
    [InlineData("busybox", "docker.io/library/busybox", "busybox")]
    [InlineData("busybox:latest", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("library/busybox", "docker.io/library/busybox", "busybox")]
    [InlineData("docker.io/busybox", "docker.io/library/busybox", "busybox")]
    [InlineData("index.docker.io/busybox", "docker.io/library/busybox", "busybox")]
    [InlineData("docker.io/library/busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36")]
    [InlineData("dmcgowan/myapp", "docker.io/dmcgowan/myapp", "dmcgowan/myapp")]
    [InlineData("dmcgowan/myapp/a/b:tag", "docker.io/dmcgowan/myapp/a/b:tag", "dmcgowan/myapp/a/b:tag")]
    [InlineData("docker.io/library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar")]
    [InlineData("localhost/busybox", "localhost/busybox", "localhost/busybox")]
    [InlineData("localhost:5000/busybox:tag", "localhost:5000/busybox:tag", "localhost:5000/busybox:tag")]
    [InlineData("127.0.0.1:5000/a/b", "127.0.0.1:5000/a/b", "127.0.0.1:5000/a/b")]
    [InlineData("example.com/foo", "example.com/foo", "example.com/foo")]
    [InlineData("[::1]:5000/foo:bar", "[::1]:5000/foo:bar", "[::1]:5000/foo:bar")]
    [InlineData("Example.com/foo", "Example.com/foo", "Example.com/foo")]
    [InlineData("FOO/bar", "FOO/bar", "FOO/bar")]
    [InlineData("foo-bar.com:8080/a__b--c.d", "foo-bar.com:8080/a__b--c.d", "foo-bar.com:8080/a__b--c.d")]
    [InlineData("busybox@sha256:" + Hex, "docker.io/library/busybox@sha256:" + Hex, "busybox@sha256:" + Hex)]
    [InlineData("busybox:1@sha256:" + Hex, "docker.io/library/busybox:1@sha256:" + Hex, "busybox:1@sha256:" + Hex)]
    public void NormalisesAsDockerDoes(string input, string full, string familiar)
    {
        var r = ImageReference.Parse(input);
        Assert.Equal(full, r.ToString());
        Assert.Equal(familiar, r.FamiliarString);
    }

    [Theory]
    [InlineData("", "repository name must have at least one component")]
    [InlineData("Busybox", "must be lowercase")]
    [InlineData("docker.io/Library/busybox", "must be lowercase")]
    [InlineData("localhost:5000/Foo", "must be lowercase")]
    [InlineData(Hex, "cannot specify 64-byte hexadecimal strings")]
    [InlineData("busybox:", "invalid reference format")]
    [InlineData("busybox:-tag", "invalid reference format")]
    [InlineData("a/b//c", "invalid reference format")]
    [InlineData("-foo/bar", "invalid reference format")]
    [InlineData("foo@sha256:abc", "invalid reference format")]
    [InlineData("foo@md5:ffffffffffffffffffffffffffffffff", "invalid digest format")]
    [InlineData("foo/bar_", "invalid reference format")]
    [InlineData("foo..bar", "invalid reference format")]
    public void RejectsWithDockersWording(string input, string message)
    {
        var e = Assert.Throws<FormatException>(() => ImageReference.Parse(input));
        Assert.Contains(message, e.Message);
        Assert.StartsWith("invalid", e.Message);
    }

    [Fact]
    public void RejectsNamesLongerThan255()
    {
        var name = "a/" + new string('b', 254);
        var e = Assert.Throws<FormatException>(() => ImageReference.Parse("example.com/" + name));
        Assert.Contains("must not be more than 255 characters", e.Message);
    }

    [Fact]
    public void TagOf128IsAcceptedAnd129Refused()
    {
        Assert.Equal(128, ImageReference.Parse("foo:" + new string('t', 128)).Tag!.Length);
        Assert.Throws<FormatException>(() => ImageReference.Parse("foo:" + new string('t', 129)));
    }

    [Fact]
    public void SplitsDomainPathTagAndDigest()
    {
        var r = ImageReference.Parse("localhost:5000/team/app:v1@sha256:" + Hex);
        Assert.Equal("localhost:5000", r.Domain);
        Assert.Equal("team/app", r.Path);
        Assert.Equal("v1", r.Tag);
        Assert.Equal("sha256:" + Hex, r.Digest.ToString());
        Assert.Equal("sha256:" + Hex, r.ManifestReference);
    }

    [Fact]
    public void DefaultTagIsLatestOnlyWithoutTagOrDigest()
    {
        Assert.Equal("docker.io/library/busybox:latest", ImageReference.Parse("busybox").WithDefaultTag().ToString());
        Assert.Null(ImageReference.Parse("busybox@sha256:" + Hex).WithDefaultTag().Tag);
        Assert.Equal("v2", ImageReference.Parse("busybox:v2").WithDefaultTag().Tag);
    }

    [Fact]
    public void CanonicalParsingRefusesAFamiliarName()
    {
        Assert.False(ImageReference.TryParseCanonical("busybox", out _, out var error));
        Assert.Contains("must be canonical", error);
        Assert.True(ImageReference.TryParseCanonical("docker.io/library/busybox:1", out var r, out _));
        Assert.Equal("busybox:1", r.FamiliarString);
    }
}
