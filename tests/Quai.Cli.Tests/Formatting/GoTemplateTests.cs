using System.Text.Json.Nodes;
using Quai.Cli.Formatting;

namespace Quai.Cli.Tests.Formatting;

public class GoTemplateTests
{
    private static readonly JsonNode Data = JsonNode.Parse("""
        {"Id":"abc","State":{"Pid":1234,"Running":true,"Status":"running"},
         "Config":{"Cmd":["sh","-c","echo <hi>"],"Labels":{"b":"2","a":"1"},"Env":null},
         "Mounts":[{"Source":"/x","Destination":"/y"},{"Source":"/p","Destination":"/q"}],
         "Label":{"com.example":"v"}}
        """)!;

    private static string Run(string template) => GoTemplate.Parse(template).Execute(Data);

    [Theory]
    [InlineData("{{.Id}}", "abc")]
    [InlineData("{{.State.Pid}}", "1234")]
    [InlineData("{{.State.Running}}", "true")]
    [InlineData("{{.Config.Cmd}}", "[sh -c echo <hi>]")]
    [InlineData("{{.Config.Labels}}", "map[a:1 b:2]")]
    [InlineData("{{.Config.Env}}", "<nil>")]
    [InlineData("{{.Nope}}", "<no value>")]
    [InlineData("{{json .Config.Cmd}}", "[\"sh\",\"-c\",\"echo <hi>\"]")]
    [InlineData("{{json .Config.Labels}}", "{\"b\":\"2\",\"a\":\"1\"}")]
    [InlineData("{{index .Config.Labels \"a\"}}", "1")]
    [InlineData("{{index .Config.Cmd 1}}", "-c")]
    [InlineData("{{.Label \"com.example\"}}", "v")]
    [InlineData("{{.Id}}{{\"\\t\"}}{{.State.Status}}", "abc\trunning")]
    [InlineData("{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}", "/x:/y /p:/q ")]
    [InlineData("{{if .State.Running}}up{{else}}down{{end}}", "up")]
    [InlineData("{{if not .State.Running}}up{{else}}down{{end}}", "down")]
    [InlineData("{{with .State}}{{.Pid}}{{end}}", "1234")]
    [InlineData("{{join .Config.Cmd \",\"}}", "sh,-c,echo <hi>")]
    [InlineData("{{.State.Status | upper}}", "RUNNING")]
    [InlineData("{{len .Mounts}}", "2")]
    [InlineData("{{- .Id -}}  x", "abcx")]
    [InlineData("{{eq .State.Status \"running\"}}", "true")]
    public void Evaluates(string template, string expected) => Assert.Equal(expected, Run(template));

    [Fact]
    public void ListRowsEscapeHtmlOnlyInJsonOfTheWholeRow()
    {
        var row = JsonNode.Parse("{\"Digest\":\"<none>\"}");
        Assert.Equal("{\"Digest\":\"\\u003cnone\\u003e\"} \"<none>\"", GoTemplate.Parse("{{json .}} {{json .Digest}}").ForListRows().Execute(row));
        Assert.Equal("{\"Digest\":\"<none>\"}", GoTemplate.Parse("{{json .}}").Execute(row));
    }

    [Fact]
    public void ParseErrorsNameTheProblem()
    {
        Assert.Contains("unclosed action", Assert.Throws<FormatException>(() => GoTemplate.Parse("{{.Id")).Message);
        Assert.Contains("function \"nope\" not defined", Assert.Throws<FormatException>(() => Run("{{nope .Id}}")).Message);
    }
}
