using System.Xml.Linq;

namespace Quai.Architecture.Tests;

/// <summary>
/// Keeps the dependency direction of ARCHITECTURE.md: lower layers never reference higher ones.
/// Reads every src/*/*.csproj and compares its ProjectReferences with the allowed set.
/// </summary>
public class LayeringTests
{
    // ARCHITECTURE.md, "Projects and the direction of dependencies". Executables may reference
    // the library they shell (and that library's dependencies, transitively).
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Quai.Oci"] = [],
        ["Quai.Linux"] = ["Quai.Oci"],
        ["Quai.Runtime"] = ["Quai.Oci", "Quai.Linux"],
        ["Quai.Images"] = ["Quai.Oci", "Quai.Linux"],
        ["Quai.Distribution"] = ["Quai.Oci", "Quai.Images"],
        ["Quai.Network"] = ["Quai.Oci", "Quai.Linux"],
        ["Quai.Build"] = ["Quai.Oci", "Quai.Images", "Quai.Engine"],
        // The shim's process logic and the engine's client of its socket protocol.
        ["Quai.Shim"] = ["Quai.Oci", "Quai.Linux"],
        // Docker Engine API data types (the swagger's definitions): shared by the API server, the
        // engine (whose model has Docker's shape) and the CLI (an API client). No behaviour.
        ["Quai.Api.Models"] = ["Quai.Oci"],
        ["Quai.Engine"] = ["Quai.Oci", "Quai.Linux", "Quai.Runtime", "Quai.Images", "Quai.Distribution", "Quai.Network", "Quai.Shim", "Quai.Api.Models"],
        ["Quai.Api"] = ["Quai.Oci", "Quai.Engine", "Quai.Api.Models"],
        ["Quai.Cli"] = ["Quai.Oci", "Quai.Api.Models"],
        ["Quai.Registry"] = ["Quai.Oci", "Quai.Images"],
        ["quai-runtime"] = ["Quai.Runtime"],
        ["quai-registry"] = ["Quai.Registry"],
        ["quai-shim"] = ["Quai.Shim"],
        ["quaid"] = ["Quai.Api"],
        ["quai"] = ["Quai.Cli"],
    };

    public static TheoryData<string> Projects()
    {
        var data = new TheoryData<string>();
        foreach (var p in Directory.GetFiles(Path.Combine(RepoRoot(), "src"), "*.csproj", SearchOption.AllDirectories))
        {
            data.Add(Path.GetFileNameWithoutExtension(p));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void ProjectReferencesFollowTheLayering(string project)
    {
        Assert.True(Allowed.TryGetValue(project, out var allowed), $"{project} is not in ARCHITECTURE.md's table: add it there and here");
        var csproj = Path.Combine(RepoRoot(), "src", project, project + ".csproj");
        var refs = XDocument.Load(csproj).Descendants("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value))
            .ToList();
        var bad = refs.Where(r => !allowed!.Contains(r)).ToList();
        Assert.True(bad.Count == 0, $"{project} references {string.Join(", ", bad)}, which ARCHITECTURE.md does not allow");
    }

    private static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Quai.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }
        return dir ?? throw new InvalidOperationException("Quai.slnx not found above " + AppContext.BaseDirectory);
    }
}
