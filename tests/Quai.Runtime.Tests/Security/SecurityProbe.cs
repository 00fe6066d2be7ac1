using System.Diagnostics;
using System.Globalization;
using Quai.Oci;
using Quai.Oci.Runtime;
using Quai.Testing;

namespace Quai.Runtime.Tests.Security;

/// <summary>
/// Runs tests/security-probe (`dotnet security-probe.dll config.json`): it applies the config's
/// process security on its main thread in quai-runtime's order and execve's process.args.
/// </summary>
internal static class SecurityProbe
{
    /// <summary>SIGSYS on x86-64 and aarch64; .NET reports a signalled child as 128 + signal.</summary>
    public const int KilledBySigsys = 128 + 31;

    /// <summary>The probe's own failure exit code.</summary>
    public const int ProbeFailed = 125;

    private static readonly Lazy<string> ProbePath = new(FindProbe);

    /// <summary>The result of one run.</summary>
    internal sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>A "Name:\tvalue" line of /proc/self/status printed by the command, as a hex mask.</summary>
        public ulong StatusMask(string field)
        {
            var line = Stdout.Split('\n').FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"no {field} in output: {Stdout} / {Stderr}");
            return ulong.Parse(line[(field.Length + 1)..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }

        public override string ToString() => $"exit {ExitCode}, stdout: {Stdout}, stderr: {Stderr}";
    }

    /// <summary>A process running <paramref name="args"/> as root with no capabilities and no seccomp.</summary>
    public static Spec Spec(params string[] args) => new()
    {
        Process = new Quai.Oci.Runtime.Process
        {
            Args = [.. args],
            Env = ["PATH=/bin:/usr/bin:/sbin:/usr/sbin"],
            Cwd = "/",
        },
    };

    /// <summary>A shell command line through busybox.</summary>
    public static Spec Shell(string script) => Spec("/bin/busybox", "sh", "-c", script);

    /// <summary>Runs the probe on <paramref name="spec"/> and waits for it (30 s at most).</summary>
    public static Result Run(Spec spec)
    {
        Quai.Testing.Root.Require();
        using var dir = new TempDir("quai-security-probe");
        var config = dir.Combine("config.json");
        File.WriteAllText(config, System.Text.Json.JsonSerializer.Serialize(spec, OciJsonContext.Default.Spec));
        var start = new ProcessStartInfo(DotnetHost(), [ProbePath.Value, config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        // runtime-notes.md trap 6: no diagnostics socket for a .NET process that execs away.
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"security-probe did not finish in 30 s: {stderr.Result}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private static string FindProbe()
    {
        // The tests run from tests/Quai.Runtime.Tests/bin/<Configuration>/<tfm>/; the probe is
        // built beside them by the ProjectReference, in tests/security-probe/bin/<Configuration>/<tfm>/.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var tfm = output.Name;
        var configuration = output.Parent!.Name;
        var dir = output;
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Quai.slnx")))
        {
            dir = dir.Parent;
        }
        if (dir is null)
        {
            throw new FileNotFoundException($"cannot find the repository (Quai.slnx) above {AppContext.BaseDirectory}");
        }
        var probe = Path.Combine(dir.FullName, "tests", "security-probe", "bin", configuration, tfm, "security-probe.dll");
        return File.Exists(probe) ? probe : throw new FileNotFoundException($"{probe} is missing: build tests/security-probe (dotnet build tests/Quai.Runtime.Tests builds it)");
    }
}
