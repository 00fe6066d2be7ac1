using Quai.Cli.Formatting;

namespace Quai.Cli.Tests.Formatting;

public class TabWriterTests
{
    [Fact]
    public void DockerPsHeaderAlone()
    {
        var tw = new TabWriter();
        tw.Write("CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES\n");
        Assert.Equal("CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n", tw.Flush());
    }

    [Fact]
    public void DockerPsWithARow()
    {
        // Captured from docker 28.2 against dockerd 20.10.
        var tw = new TabWriter();
        tw.Write("CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES\n");
        tw.Write("efd720fa7cd1\tbusybox\t\"sleep 100\"\t1 second ago\tUp Less than a second\t\tt1\n");
        Assert.Equal(
            "CONTAINER ID   IMAGE     COMMAND       CREATED        STATUS                  PORTS     NAMES\n" +
            "efd720fa7cd1   busybox   \"sleep 100\"   1 second ago   Up Less than a second             t1\n",
            tw.Flush());
    }

    [Fact]
    public void ColumnBlocksEndAtLinesWithoutThatColumn()
    {
        // Go's tabwriter: a line with fewer cells ends the column block above it.
        var tw = new TabWriter(0, 1);
        tw.Write("a\tbbbbbb\tc\nx\ny\tz\n");
        Assert.Equal("a bbbbbb c\nx\ny z\n", tw.Flush());
    }

    [Fact]
    public void CountsRunesNotBytes()
    {
        var tw = new TabWriter(0, 1);
        tw.Write("é…\tx\nab\ty\n");
        Assert.Equal("é… x\nab y\n", tw.Flush());
    }
}
