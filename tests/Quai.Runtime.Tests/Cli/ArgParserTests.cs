using Quai.Runtime.Cli;
using Quai.Runtime.Cli.Verbs;

namespace Quai.Runtime.Tests.Cli;

public class ArgParserTests
{
    private static readonly FlagSpec[] Flags =
    [
        new("bundle", 'b', TakesValue: true),
        new("pid-file", TakesValue: true),
        new("detach", 'd'),
        new("env", 'e', TakesValue: true, Repeatable: true),
    ];

    [Theory]
    [InlineData("--bundle", "/b")]
    [InlineData("-b", "/b")]
    [InlineData("-bundle", "/b")]
    public void Flag_with_separate_value(string flag, string value)
    {
        var parsed = ArgParser.Parse([flag, value, "id"], Flags);
        Assert.Equal("/b", parsed.Get("bundle"));
        Assert.Equal(["id"], parsed.Positionals);
    }

    [Fact]
    public void Flag_with_equals_value_keeps_later_equals_signs()
    {
        var parsed = ArgParser.Parse(["--pid-file=/run/a=b.pid", "--env=K=V", "-e", "X=1", "id"], Flags);
        Assert.Equal("/run/a=b.pid", parsed.Get("pid-file"));
        Assert.Equal(["K=V", "X=1"], parsed.GetAll("env"));
    }

    [Theory]
    [InlineData("--detach", true)]
    [InlineData("-d", true)]
    [InlineData("--detach=true", true)]
    [InlineData("--detach=false", false)]
    public void Boolean_flags(string flag, bool expected)
    {
        Assert.Equal(expected, ArgParser.Parse([flag, "id"], Flags).Has("detach"));
    }

    [Fact]
    public void Parsing_stops_at_the_first_positional()
    {
        var parsed = ArgParser.Parse(["-d", "id", "sh", "-c", "--bundle"], Flags);
        Assert.True(parsed.Has("detach"));
        Assert.Equal(["id", "sh", "-c", "--bundle"], parsed.Positionals);
    }

    [Fact]
    public void Double_dash_ends_flags()
    {
        var parsed = ArgParser.Parse(["--", "-d"], Flags);
        Assert.False(parsed.Has("detach"));
        Assert.Equal(["-d"], parsed.Positionals);
    }

    [Fact]
    public void Unknown_flag_is_an_error_naming_it()
    {
        var e = Assert.Throws<RuntimeException>(() => ArgParser.Parse(["--bogus=1", "id"], Flags));
        Assert.Contains("--bogus", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_value_is_an_error()
    {
        var e = Assert.Throws<RuntimeException>(() => ArgParser.Parse(["--bundle"], Flags));
        Assert.Contains("--bundle", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Global_flags_come_before_the_verb_and_verb_flags_after_it()
    {
        string[] line = ["--root", "/run/x", "--log-format=json", "create", "--bundle", "/b", "--pid-file=/p", "--console-socket", "/s.sock", "--preserve-fds", "2", "c1"];
        var global = ArgParser.Parse(line, RuntimeCli.GlobalFlags);
        Assert.Equal("/run/x", global.Get("root"));
        Assert.Equal("json", global.Get("log-format"));
        Assert.Equal("create", global.Positionals[0]);
        var options = CreateVerb.Options(ArgParser.Parse(global.Positionals, CreateVerb.Flags, start: 1));
        Assert.Equal("c1", options.Id);
        Assert.Equal("/b", options.Bundle);
        Assert.Equal("/p", options.PidFile);
        Assert.Equal("/s.sock", options.ConsoleSocket);
        Assert.Equal(2, options.PreserveFds);
    }

    [Fact]
    public void Bad_integer_names_the_flag()
    {
        var parsed = ArgParser.Parse(["--preserve-fds", "two", "c1"], CreateVerb.Flags);
        var e = Assert.Throws<RuntimeException>(() => CreateVerb.Options(parsed));
        Assert.Contains("--preserve-fds", e.Message, StringComparison.Ordinal);
    }
}
