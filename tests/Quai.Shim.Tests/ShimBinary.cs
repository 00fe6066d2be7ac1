using Quai.Testing;

namespace Quai.Shim.Tests;

/// <summary>
/// The quai-shim under test: the Native AOT build in $QUAI_BIN_DIR (what ./scripts/publish.sh
/// makes, and what test.sh uses), else the JIT build of src/quai-shim in the tests' configuration.
/// </summary>
internal static class ShimBinary
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var dir = Environment.GetEnvironmentVariable("QUAI_BIN_DIR");
        if (!string.IsNullOrEmpty(dir) && File.Exists(System.IO.Path.Combine(dir, "quai-shim")))
        {
            return System.IO.Path.Combine(dir, "quai-shim");
        }
        // tests/Quai.Shim.Tests/bin/<Configuration>/net10.0/
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var jit = System.IO.Path.Combine(RuntimeUnderTest.RepoRoot(), "src", "quai-shim", "bin", configuration, "net10.0", "linux-x64", "quai-shim");
        return File.Exists(jit)
            ? jit
            : throw new InvalidOperationException($"quai-shim is not built: neither $QUAI_BIN_DIR/quai-shim nor {jit} exists; run `dotnet build tests/Quai.Shim.Tests` or ./scripts/publish.sh");
    }
}
