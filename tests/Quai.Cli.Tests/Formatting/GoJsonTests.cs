using System.Text;
using System.Text.Json.Nodes;
using Quai.Cli.Formatting;

namespace Quai.Cli.Tests.Formatting;

public class GoJsonTests
{
    [Fact]
    public void IndentKeepsRawStringsAndEmptyContainers()
    {
        var raw = Encoding.UTF8.GetBytes("{\"Id\":\"a\\u003cb\",\"Args\":[],\"Env\":{},\"List\":[1,{\"x\":null}],\"S\":\"é\"}");
        var expected = "{\n    \"Id\": \"a\\u003cb\",\n    \"Args\": [],\n    \"Env\": {},\n    \"List\": [\n        1,\n        {\n            \"x\": null\n        }\n    ],\n    \"S\": \"é\"\n}";
        Assert.Equal(expected, GoJson.Indent(raw, "", "    "));
    }

    [Fact]
    public void SerializeEscapesHtmlLikeGo()
    {
        var node = JsonNode.Parse("{\"a\":\"<&>\",\"b\":[true,false,null,1.5],\"c\":\"é\\n\"}");
        Assert.Equal("{\"a\":\"\\u003c\\u0026\\u003e\",\"b\":[true,false,null,1.5],\"c\":\"é\\n\"}", GoJson.Serialize(node));
    }
}
