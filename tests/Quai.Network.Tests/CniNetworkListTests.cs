using System.Text.Json.Nodes;
using Quai.Network.Cni;
using Quai.Testing;

namespace Quai.Network.Tests;

/// <summary>The conflist protocol against scripted fake plugins that record what they were given.</summary>
public sealed class CniNetworkListTests : IDisposable
{
    private readonly TempDir temp = new("quai-cni");

    public CniNetworkListTests()
    {
        Directory.CreateDirectory(temp.Combine("plugins"));
        Directory.CreateDirectory(temp.Combine("log"));
        WritePlugin("fake-a", """{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","mac":"02:00:00:00:00:01","sandbox":"/x"}],"ips":[{"address":"10.1.0.5/24","gateway":"10.1.0.1","interface":0}]}""");
        WritePlugin("fake-b", """{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/x"}],"ips":[{"address":"10.1.0.6/24","interface":0}],"dns":{"nameservers":["10.1.0.1"]}}""");
        File.WriteAllText(temp.Combine("plugins", "fail"), $"#!/bin/sh\ncat > /dev/null\necho \"$CNI_COMMAND\" >> {temp.Combine("log", "calls")}.fail\nif [ \"$CNI_COMMAND\" = ADD ]; then echo '{{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"boom\",\"details\":\"why\"}}'; exit 1; fi\n");
        File.SetUnixFileMode(temp.Combine("plugins", "fail"), (UnixFileMode)0b111_101_101);
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Add_chains_prevResult_and_capabilities_then_del_runs_in_reverse_with_the_cached_result()
    {
        var list = List("fake-a", "fake-b");
        var runtime = new CniRuntimeConf
        {
            ContainerId = "c1",
            NetnsPath = "/proc/self/ns/net",
            IfName = "eth1",
            Args = [new("IP", "10.1.0.9")],
            CapabilityArgs = new Dictionary<string, JsonNode> { ["portMappings"] = JsonNode.Parse("""[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]""")! },
        };

        var result = await list.AddAsync(runtime);

        Assert.Equal("10.1.0.6/24", Assert.Single(result.Ips!).Address);
        Assert.Equal(["10.1.0.1"], result.Dns!.Nameservers);
        Assert.Equal(
            ["ADD|c1|/proc/self/ns/net|eth1|IgnoreUnknown=1;IP=10.1.0.9|" + temp.Combine("plugins") + "|fake-a", "ADD|c1|/proc/self/ns/net|eth1|IgnoreUnknown=1;IP=10.1.0.9|" + temp.Combine("plugins") + "|fake-b"],
            File.ReadAllLines(temp.Combine("log", "calls")));
        var aIn = JsonNode.Parse(File.ReadAllText(temp.Combine("log", "fake-a.ADD")))!;
        var bIn = JsonNode.Parse(File.ReadAllText(temp.Combine("log", "fake-b.ADD")))!;
        Assert.Equal("testnet", aIn["name"]!.GetValue<string>());
        Assert.Null(aIn["prevResult"]);
        Assert.Null(aIn["runtimeConfig"]); // fake-a does not declare portMappings
        Assert.Equal("10.1.0.5/24", bIn["prevResult"]!["ips"]![0]!["address"]!.GetValue<string>());
        Assert.Equal(8080, bIn["runtimeConfig"]!["portMappings"]![0]!["hostPort"]!.GetValue<int>());
        Assert.Equal("10.1.0.6/24", list.GetCachedResult("c1", "eth1")!.Ips![0].Address);

        await list.DelAsync(new CniRuntimeConf { ContainerId = "c1", NetnsPath = "/nonexistent/netns", IfName = "eth1" });

        var calls = File.ReadAllLines(temp.Combine("log", "calls"));
        Assert.StartsWith("DEL|c1||eth1||", calls[2], StringComparison.Ordinal); // a missing netns is passed as ""
        Assert.EndsWith("fake-b", calls[2], StringComparison.Ordinal);
        Assert.EndsWith("fake-a", calls[3], StringComparison.Ordinal);
        var bDel = JsonNode.Parse(File.ReadAllText(temp.Combine("log", "fake-b.DEL")))!;
        Assert.Equal("10.1.0.6/24", bDel["prevResult"]!["ips"]![0]!["address"]!.GetValue<string>());
        Assert.Equal(8080, bDel["runtimeConfig"]!["portMappings"]![0]!["hostPort"]!.GetValue<int>()); // cached capability args
        Assert.Null(list.GetCachedResult("c1", "eth1"));

        // DEL again with nothing cached still calls every plugin, and succeeds.
        await list.DelAsync(new CniRuntimeConf { ContainerId = "c1", NetnsPath = "", IfName = "eth1" });
        Assert.Equal(6, File.ReadAllLines(temp.Combine("log", "calls")).Length);
    }

    [Fact]
    public async Task A_failing_plugin_reports_its_code_and_msg_and_the_add_is_undone()
    {
        var list = List("fake-a", "fail");

        var e = await Assert.ThrowsAsync<CniException>(() => list.AddAsync(new CniRuntimeConf { ContainerId = "c2", NetnsPath = "/proc/self/ns/net" }));

        Assert.Equal("fail", e.Plugin);
        Assert.Equal(11, e.Code);
        Assert.Equal("CNI plugin 'fail' ADD failed (code 11): boom: why", e.Message);
        Assert.Equal(["ADD", "DEL"], File.ReadAllLines(temp.Combine("log", "calls")).Select(l => l.Split('|')[0]));
        Assert.Equal(["ADD", "DEL"], File.ReadAllLines(temp.Combine("log", "calls") + ".fail"));
        Assert.Null(list.GetCachedResult("c2"));
    }

    [Fact]
    public void A_missing_plugin_names_the_directories_searched()
    {
        var invoker = new CniInvoker([temp.Combine("plugins")]);
        var e = Assert.Throws<FileNotFoundException>(() => invoker.FindPlugin("nosuch"));
        Assert.Contains(temp.Combine("plugins"), e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => invoker.FindPlugin("../bin/sh"));
    }

    private CniNetworkList List(params string[] types)
    {
        var plugins = new JsonArray();
        foreach (var t in types)
        {
            plugins.Add((JsonNode)new JsonObject { ["type"] = t, ["capabilities"] = new JsonObject { ["portMappings"] = t == "fake-b" } });
        }
        var conflist = new JsonObject { ["cniVersion"] = "1.0.0", ["name"] = "testnet", ["plugins"] = plugins };
        return new CniNetworkList(conflist.ToJsonString(), new CniInvoker([temp.Combine("plugins")]), temp.Combine("cache"));
    }

    private void WritePlugin(string name, string result)
    {
        var log = temp.Combine("log");
        var script = $"#!/bin/sh\ncat > {log}/{name}.$CNI_COMMAND\necho \"$CNI_COMMAND|$CNI_CONTAINERID|$CNI_NETNS|$CNI_IFNAME|$CNI_ARGS|$CNI_PATH|{name}\" >> {log}/calls\nif [ \"$CNI_COMMAND\" = ADD ]; then echo '{result}'; fi\n";
        var path = temp.Combine("plugins", name);
        File.WriteAllText(path, script);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }
}
