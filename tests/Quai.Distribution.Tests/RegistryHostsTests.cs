namespace Quai.Distribution.Tests;

public class RegistryHostsTests
{
    [Fact]
    public void DockerHubIsReachedAtRegistry1OverHttps()
    {
        var e = new RegistryHosts(new RegistryClientOptions()).Resolve("docker.io", push: false).Single();
        Assert.Equal(new Uri("https://registry-1.docker.io/"), e.BaseUri);
        Assert.False(e.IsMirror);
    }

    [Fact]
    public void MirrorsComeFirstForPullsOnly()
    {
        var hosts = new RegistryHosts(new RegistryClientOptions { Mirrors = new() { ["docker.io"] = [new Uri("https://mirror.example/")] } });
        var pull = hosts.Resolve("docker.io", push: false);
        Assert.Equal(["https://mirror.example/", "https://registry-1.docker.io/"], pull.Select(e => e.BaseUri.ToString()));
        Assert.True(pull[0].IsMirror);
        Assert.Single(hosts.Resolve("docker.io", push: true));
    }

    [Theory]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("127.5.6.7", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("localhost:5000", true)]
    [InlineData("10.1.2.3:5000", true)]
    [InlineData("10.200.0.1", false)]
    [InlineData("plain.example:8080", true)]
    [InlineData("plain.example", false)]
    [InlineData("other.example", true)]
    [InlineData("registry.example.com", false)]
    public void InsecureRegistriesByLoopbackHostPortAndCidr(string domain, bool insecure)
    {
        var hosts = new RegistryHosts(new RegistryClientOptions { InsecureRegistries = ["10.1.0.0/16", "plain.example:8080", "other.example"] });
        Assert.Equal(insecure, hosts.IsInsecure(domain));
        Assert.Equal(insecure ? "http" : "https", hosts.Resolve(domain, push: true)[^1].BaseUri.Scheme);
    }

    [Fact]
    public void LoopbackCanBeMadeHttps()
    {
        var hosts = new RegistryHosts(new RegistryClientOptions { PlainHttpForLoopback = false });
        Assert.False(hosts.IsInsecure("127.0.0.1:5000"));
    }
}
