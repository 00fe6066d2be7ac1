namespace Quai.E2E.Tests.Infra;

/// <summary>Where the published Quai executables are: $QUAI_BIN_DIR, else &lt;repo&gt;/artifacts/bin (./test.sh publishes there).</summary>
public static class Binaries
{
    /// <summary>The directory holding quaid, quai-runtime and quai-shim.</summary>
    public static string Dir { get; } = Environment.GetEnvironmentVariable("QUAI_BIN_DIR") is { Length: > 0 } d ? d : Path.Combine(RepoRoot(), "artifacts", "bin");

    /// <summary>The path of one executable, checked to exist.</summary>
    public static string Get(string name)
    {
        var path = Path.Combine(Dir, name);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: run ./scripts/publish.sh (or set QUAI_BIN_DIR)");
        }
        return path;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Quai.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Quai.slnx above {AppContext.BaseDirectory}: set QUAI_BIN_DIR");
    }
}
