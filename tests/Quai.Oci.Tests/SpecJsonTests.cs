using System.Text.Json;
using Quai.Oci.Image;
using Quai.Oci.Runtime;

namespace Quai.Oci.Tests;

public class SpecJsonTests
{
    [Fact]
    public void ReadsRuncStyleConfigAndOmitsNulls()
    {
        const string json = """
        {
          "ociVersion": "1.0.2-dev",
          "process": { "terminal": true, "user": { "uid": 0, "gid": 0 }, "args": ["sh"], "cwd": "/",
            "capabilities": { "bounding": ["CAP_KILL"] }, "rlimits": [{ "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 }] },
          "root": { "path": "rootfs", "readonly": true },
          "linux": { "namespaces": [{ "type": "pid" }, { "type": "network", "path": "/proc/1/ns/net" }],
            "resources": { "memory": { "limit": 104857600 }, "devices": [{ "allow": false, "access": "rwm" }] },
            "seccomp": { "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{ "names": ["read"], "action": "SCMP_ACT_ALLOW",
              "args": [{ "index": 0, "value": 1, "op": "SCMP_CMP_EQ" }] }] } }
        }
        """;
        var spec = JsonSerializer.Deserialize(json, OciJsonContext.Default.Spec)!;
        Assert.True(spec.Process!.Terminal);
        Assert.Equal("sh", spec.Process.Args![0]);
        Assert.Equal(1024UL, spec.Process.Rlimits![0].Hard);
        Assert.Equal("/proc/1/ns/net", spec.Linux!.Namespaces![1].Path);
        Assert.Equal(104857600L, spec.Linux.Resources!.Memory!.Limit);
        Assert.Equal("SCMP_CMP_EQ", spec.Linux.Seccomp!.Syscalls![0].Args![0].Op);

        var back = JsonSerializer.Serialize(spec, OciJsonContext.Default.Spec);
        Assert.DoesNotContain("null", back);
        Assert.DoesNotContain("hostname", back);
    }

    [Fact]
    public void ManifestRoundTripsWithDigest()
    {
        var m = new Manifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = Digest.FromBytes("{}"u8), Size = 2 },
        };
        var json = JsonSerializer.Serialize(m, OciJsonContext.Default.Manifest);
        var back = JsonSerializer.Deserialize(json, OciJsonContext.Default.Manifest)!;
        Assert.Equal(m.Config.Digest, back.Config.Digest);
        Assert.Contains("\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"", json);
    }

    [Fact]
    public void InvalidDigestInManifestIsAJsonError()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"config":{"digest":"sha256:xyz"}}""", OciJsonContext.Default.Manifest));
    }
}
