using Quai.Runtime.Cli.Verbs;

namespace Quai.Runtime.Tests.Cli;

public class SignalParsingTests
{
    [Theory]
    [InlineData("TERM", 15)]
    [InlineData("SIGTERM", 15)]
    [InlineData("sigkill", 9)]
    [InlineData("KILL", 9)]
    [InlineData("9", 9)]
    [InlineData("HUP", 1)]
    [InlineData("SIGUSR1", 10)]
    [InlineData("WINCH", 28)]
    [InlineData("SIGRTMIN", 34)]
    [InlineData("RTMIN+2", 36)]
    [InlineData("SIGRTMAX-1", 63)]
    [InlineData("64", 64)]
    public void Known_signals(string text, int expected) => Assert.Equal(expected, KillVerb.ParseSignal(text));

    [Theory]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("-1")]
    [InlineData("SIGBOGUS")]
    [InlineData("")]
    public void Unknown_signals_are_errors(string text)
    {
        var e = Assert.Throws<RuntimeException>(() => KillVerb.ParseSignal(text));
        Assert.Contains("unknown signal", e.Message, StringComparison.Ordinal);
    }
}
