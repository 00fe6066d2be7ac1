using System.Net;
using Quai.Network.Files;

namespace Quai.Network.Tests;

public sealed class HostsFileTests
{
    [Fact]
    public void Docker_20_10_layout_with_add_host_and_own_line()
    {
        var extra = HostsFile.ParseExtraHosts(["db:10.0.0.5", "host.docker.internal:host-gateway", "v6:[::2]"], IPAddress.Parse("10.99.0.1"));
        var content = HostsFile.Build("3389394b3e76", null, IPAddress.Parse("10.99.0.2"), extra);

        Assert.Equal(
            "127.0.0.1\tlocalhost\n" +
            "::1\tlocalhost ip6-localhost ip6-loopback\n" +
            "fe00::0\tip6-localnet\n" +
            "ff00::0\tip6-mcastprefix\n" +
            "ff02::1\tip6-allnodes\n" +
            "ff02::2\tip6-allrouters\n" +
            "10.0.0.5\tdb\n" +
            "10.99.0.1\thost.docker.internal\n" +
            "::2\tv6\n" +
            "10.99.0.2\t3389394b3e76\n",
            content);
    }

    [Fact]
    public void A_domain_name_gives_fqdn_and_short_name()
    {
        Assert.Equal("web.example.com web", HostsFile.OwnNames("web", "example.com"));
        Assert.Equal("a.b a", HostsFile.OwnNames("a.b", null));
        Assert.Equal("web", HostsFile.OwnNames("web", ""));
        Assert.DoesNotContain("::1", HostsFile.Build("h", null, null, includeIpv6: false), StringComparison.Ordinal);
        Assert.Equal("h\n", HostsFile.BuildHostname("h"));
    }

    [Fact]
    public void An_update_in_place_keeps_the_inode_a_container_has_bind_mounted()
    {
        using var temp = new Quai.Testing.TempDir("quai-hosts");
        var path = temp.Combine("hosts");
        HostsFile.WriteAtomically(path, "a long first version of the file\n");
        var before = Inode(path);

        HostsFile.WriteInPlace(path, "short\n");

        Assert.Equal("short\n", File.ReadAllText(path));
        Assert.Equal(before, Inode(path));
    }

    private static string Inode(string path)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var inode = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return inode;
    }

    [Theory]
    [InlineData("nocolon")]
    [InlineData("db:notanip")]
    [InlineData(":1.2.3.4")]
    public void Bad_add_host_values_are_refused(string value)
    {
        Assert.Throws<FormatException>(() => HostsFile.ParseExtraHosts([value], null));
    }

    [Fact]
    public void Files_are_written_whole_with_mode_0644()
    {
        using var temp = new Quai.Testing.TempDir("quai-hosts");
        var path = temp.Combine("hosts");
        HostsFile.WriteAtomically(path, "x\n");
        HostsFile.WriteAtomically(path, "y\n");
        Assert.Equal("y\n", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));
        Assert.Single(Directory.GetFiles(temp.Path));
    }
}
