using System.Net.NetworkInformation;
using Quai.Network.Namespaces;
using Quai.Testing;

namespace Quai.Network.Tests;

public sealed class NetworkNamespaceTests
{
    [Fact]
    public void A_named_netns_is_created_with_lo_up_and_deleted_idempotently()
    {
        Root.Require();
        using var temp = new TempDir("quai-netns");
        var ns = NetworkNamespace.Create(temp.Combine("netns"), "n1");

        Assert.True(NetworkNamespace.IsNamespaceFile(ns.Path));
        Assert.NotEqual(File.ResolveLinkTarget("/proc/self/ns/net", false)?.Name, Inode(ns.Path));
        var (code, output) = NetTestEnvironment.Exec(ns.Path, "ip", "-br", "link");
        Assert.Equal(0, code);
        Assert.Matches(@"lo\s+UNKNOWN", output);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)); // nothing but lo
        Assert.Throws<IOException>(() => NetworkNamespace.Create(temp.Combine("netns"), "n1"));
        Assert.Equal(ns.Path, NetworkNamespace.Open(temp.Combine("netns"), "n1").Path);

        ns.Delete();
        ns.Delete();

        Assert.False(File.Exists(ns.Path));
        Assert.Empty(TempDir.MountsBelow(temp.Path));
        Assert.Throws<FileNotFoundException>(() => NetworkNamespace.Open(temp.Combine("netns"), "n1"));
    }

    [Fact]
    public void RunInside_sees_the_netns_and_leaves_the_caller_where_it_was()
    {
        Root.Require();
        using var temp = new TempDir("quai-netns");
        var ns = NetworkNamespace.Create(temp.Combine("netns"), "n2");
        try
        {
            var before = File.ResolveLinkTarget("/proc/thread-self/ns/net", false)!.Name;
            var (inside, interfaces) = ns.RunInside(() => (File.ResolveLinkTarget("/proc/thread-self/ns/net", false)!.Name, NetworkInterface.GetAllNetworkInterfaces().Select(i => i.Name).ToArray()));

            Assert.NotEqual(before, inside);
            Assert.Equal(["lo"], interfaces);
            Assert.Equal(before, File.ResolveLinkTarget("/proc/thread-self/ns/net", false)!.Name);
            var e = Assert.Throws<InvalidOperationException>(() => ns.RunInside<int>(() => throw new InvalidOperationException("inside")));
            Assert.Equal("inside", e.Message);
        }
        finally
        {
            ns.Delete();
        }
    }

    [Fact]
    public async Task The_pool_hands_out_fresh_namespaces_from_a_spare_and_leaves_nothing_when_disposed()
    {
        Root.Require();
        using var temp = new TempDir("quai-netns");
        var dir = temp.Combine("netns");
        // A spare left by a daemon that died goes when a pool is made.
        var stale = NetworkNamespace.Create(dir, ".spare-stale");
        var pool = new NetworkNamespacePool(dir);
        Assert.False(File.Exists(stale.Path));
        var spares = await WaitForSpareAsync(dir);

        var a = pool.Create("a");
        Assert.True(NetworkNamespace.IsNamespaceFile(a.Path));
        Assert.DoesNotContain(spares, File.Exists);
        var (code, output) = NetTestEnvironment.Exec(a.Path, "ip", "-br", "link");
        Assert.Equal(0, code);
        Assert.Matches(@"lo\s+UNKNOWN", output);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // The next one comes from a new spare: another namespace.
        await WaitForSpareAsync(dir);
        var b = pool.Create("b");
        Assert.NotEqual(Inode(a.Path), Inode(b.Path));
        Assert.Throws<IOException>(() => pool.Create("a"));

        pool.Dispose();
        Assert.Empty(Directory.EnumerateFiles(dir, ".spare-*"));
        a.Delete();
        b.Delete();
        Assert.Empty(TempDir.MountsBelow(temp.Path));
    }

    private static async Task<string[]> WaitForSpareAsync(string dir)
    {
        for (var i = 0; i < 200; i++)
        {
            var spares = Directory.GetFiles(dir, ".spare-*").Where(NetworkNamespace.IsNamespaceFile).ToArray();
            if (spares.Length > 0)
            {
                return spares;
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"no spare namespace appeared in {dir}");
    }

    [Fact]
    public void Bad_names_are_refused()
    {
        Assert.Throws<ArgumentException>(() => NetworkNamespace.Create("/tmp", "../x"));
        Assert.Throws<ArgumentException>(() => NetworkNamespace.Create("/tmp", ""));
    }

    private static string Inode(string path) => NetworkNamespace.RunInside(path, () => File.ResolveLinkTarget("/proc/thread-self/ns/net", false)!.Name);
}
