using System.Text;
using System.Text.Json;
using Quai.Oci.Runtime;

namespace Quai.Oci.Tests;

/// <summary>
/// The generated config.json reader and writer (SpecJson) against the System.Text.Json context
/// they stand in for: the same objects from the same bytes, the same bytes from the same objects.
/// Data/full-spec.json sets every member of every spec type (made from the model classes), plus
/// an unknown member.
/// </summary>
public sealed class GeneratedSpecJsonTests
{
    private static readonly byte[] Full = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Data", "full-spec.json"));

    // System.Text.Json with the encoder SpecJson.Serialize uses, so that the bytes compare.
    private static readonly JsonSerializerOptions StjOptions = new(OciJsonContext.Default.Options) { Encoder = MinimalJsonEncoder.Instance };

    private static string Stj(Spec s) => JsonSerializer.Serialize(s, StjOptions.GetTypeInfo(typeof(Spec)));

    [Fact]
    public void Every_member_reads_and_writes_as_System_Text_Json_does()
    {
        var viaStj = JsonSerializer.Deserialize(Full, OciJsonContext.Default.Spec)!;
        var viaGenerated = SpecJson.ParseSpec(Full);
        Assert.Equal(Stj(viaStj), Stj(viaGenerated));
        Assert.Equal(Stj(viaStj), Encoding.UTF8.GetString(SpecJson.Serialize(viaGenerated)));
        Assert.True(Stj(viaStj).Length > 5000, "the sample covers the spec");
    }

    [Fact]
    public void Defaults_of_absent_members_are_kept_and_nulls_omitted()
    {
        var s = SpecJson.ParseSpec("""{"process":{"args":["sh"],"user":{"uid":1}},/* a comment */"root":{"path":"r"},}"""u8);
        Assert.Equal(SpecVersion.Current, s.OciVersion);
        Assert.Equal("/", s.Process!.Cwd);
        Assert.Equal(1u, s.Process.User.Uid);
        Assert.Null(s.Linux);
        Assert.Equal(Stj(s), Encoding.UTF8.GetString(SpecJson.Serialize(s)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("""{"process":{"user":{"uid":null}}}""")]
    [InlineData("""{"process":{"user":{"uid":"0"}}}""")]
    [InlineData("""{"mounts":{}}""")]
    [InlineData("""{"root":{"path":"r"}} {}""")]
    [InlineData("""{"linux":{"resources":{"memory":{"limit":1.5}}}}""")]
    public void Malformed_documents_are_refused(string json)
    {
        Assert.ThrowsAny<JsonException>(() => SpecJson.ParseSpec(Encoding.UTF8.GetBytes(json)));
    }
}
