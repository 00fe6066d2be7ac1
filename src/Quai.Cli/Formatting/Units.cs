using System.Globalization;

namespace Quai.Cli.Formatting;

/// <summary>Sizes and durations as docker prints them (github.com/docker/go-units).</summary>
public static class Units
{
    private static readonly string[] DecimalUnits = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    private static readonly string[] BinaryUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];

    /// <summary>go-units HumanSize: decimal units, 4 significant digits ("4.26MB", "1kB", "0B").</summary>
    public static string HumanSize(double size) => HumanSizeWithPrecision(size, 4);

    /// <summary>go-units HumanSizeWithPrecision (docker's image and container lists use 3).</summary>
    public static string HumanSizeWithPrecision(double size, int precision)
    {
        var (value, unit) = Scale(size, 1000.0, DecimalUnits);
        return FormatG(value, precision) + unit;
    }

    /// <summary>go-units BytesSize: binary units ("1.5GiB"), as in stats and info.</summary>
    public static string BytesSize(double size)
    {
        var (value, unit) = Scale(size, 1024.0, BinaryUnits);
        return FormatG(value, 4) + unit;
    }

    private static (double Value, string Unit) Scale(double size, double @base, string[] units)
    {
        var i = 0;
        while (size >= @base && i < units.Length - 1)
        {
            size /= @base;
            i++;
        }
        return (size, units[i]);
    }

    /// <summary>Go's %.{precision}g: shortest of %e/%f with that many significant digits, trailing zeros trimmed.</summary>
    public static string FormatG(double value, int precision)
    {
        if (value == 0)
        {
            return "0";
        }
        var exponent = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        var rounded = Math.Round(value, Math.Max(0, precision - 1 - exponent), MidpointRounding.ToEven);
        // Rounding can carry into a new digit (999.96 -> 1000): recompute the exponent.
        if (rounded != 0)
        {
            exponent = (int)Math.Floor(Math.Log10(Math.Abs(rounded)));
        }
        if (exponent < -4 || exponent >= precision)
        {
            var mantissa = rounded / Math.Pow(10, exponent);
            var m = mantissa.ToString("0." + new string('#', Math.Max(0, precision - 1)), CultureInfo.InvariantCulture);
            return m + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
        }
        var decimals = Math.Max(0, precision - 1 - exponent);
        return rounded.ToString("0." + new string('#', decimals), CultureInfo.InvariantCulture);
    }

    /// <summary>go-units HumanDuration (see <see cref="Quai.Api.Models.GoUnits"/>).</summary>
    public static string HumanDuration(TimeSpan d) => Quai.Api.Models.GoUnits.HumanDuration(d);

    /// <summary>Parses a docker size ("512m", "1g", "100000", "1.5GB") into bytes (go-units RAMInBytes: binary multiples).</summary>
    public static long RamInBytes(string s)
    {
        var t = s.Trim().ToLowerInvariant();
        var i = 0;
        while (i < t.Length && (char.IsAsciiDigit(t[i]) || t[i] == '.'))
        {
            i++;
        }
        if (i == 0 || !double.TryParse(t[..i], NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
        {
            throw new FormatException($"invalid size: '{s}'");
        }
        var suffix = t[i..].TrimEnd('b').TrimEnd('i');
        double mul = suffix switch
        {
            "" => 1,
            "k" => 1024,
            "m" => 1024.0 * 1024,
            "g" => 1024.0 * 1024 * 1024,
            "t" => 1024.0 * 1024 * 1024 * 1024,
            "p" => 1024.0 * 1024 * 1024 * 1024 * 1024,
            _ => throw new FormatException($"invalid size: '{s}'"),
        };
        return (long)(n * mul);
    }
}
