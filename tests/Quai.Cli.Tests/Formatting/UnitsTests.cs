using Quai.Cli.Formatting;

namespace Quai.Cli.Tests.Formatting;

public class UnitsTests
{
    [Theory]
    [InlineData(0, "0B")]
    [InlineData(999, "999B")]
    [InlineData(1000, "1kB")]
    [InlineData(1984000, "1.984MB")]
    [InlineData(4260000, "4.26MB")]
    [InlineData(1_500_000_000, "1.5GB")]
    [InlineData(123456789, "123.5MB")]
    public void HumanSize(double bytes, string expected) => Assert.Equal(expected, Units.HumanSize(bytes));

    [Theory]
    [InlineData(1984000, "1.98MB")]
    [InlineData(1984512, "1.98MB")]
    [InlineData(0, "0B")]
    [InlineData(123456789, "123MB")]
    public void HumanSizeWithPrecision3(double bytes, string expected) => Assert.Equal(expected, Units.HumanSizeWithPrecision(bytes, 3));

    [Theory]
    [InlineData(1024, "1KiB")]
    [InlineData(1536L * 1024 * 1024, "1.5GiB")]
    [InlineData(25275756544, "23.54GiB")]
    public void BytesSize(double bytes, string expected) => Assert.Equal(expected, Units.BytesSize(bytes));

    [Theory]
    [InlineData(0.5, "Less than a second")]
    [InlineData(1, "1 second")]
    [InlineData(3, "3 seconds")]
    [InlineData(60, "About a minute")]
    [InlineData(150, "2 minutes")]
    [InlineData(3600, "About an hour")]
    [InlineData(5 * 3600, "5 hours")]
    [InlineData(3 * 86400, "3 days")]
    [InlineData(20 * 86400, "2 weeks")]
    [InlineData(90 * 86400, "3 months")]
    [InlineData(800 * 86400, "2 years")]
    public void HumanDuration(double seconds, string expected) => Assert.Equal(expected, Units.HumanDuration(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("512m", 512L * 1024 * 1024)]
    [InlineData("1g", 1024L * 1024 * 1024)]
    [InlineData("100000", 100000)]
    [InlineData("64k", 65536)]
    [InlineData("1.5GB", 1610612736)]
    public void RamInBytes(string s, long expected) => Assert.Equal(expected, Units.RamInBytes(s));
}
