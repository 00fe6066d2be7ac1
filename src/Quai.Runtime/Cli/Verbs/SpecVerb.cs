using System.Text.Json;
using Quai.Oci;
using Quai.Runtime.Container;

namespace Quai.Runtime.Cli.Verbs;

/// <summary>`spec [--bundle DIR] [--rootless]`: writes a default config.json (never over an existing one).</summary>
public static class SpecVerb
{
    public static readonly Verb Definition = new("spec", "[--bundle DIR] [--rootless]", "write a default config.json", [new("bundle", 'b', TakesValue: true), new("rootless")], 0, 0, (c, a) =>
    {
        var path = Path.Combine(a.Get("bundle") ?? ".", "config.json");
        if (File.Exists(path))
        {
            throw new RuntimeException($"File {path} exists. Remove it first");
        }
        var json = JsonSerializer.Serialize(DefaultSpec.Create(a.Has("rootless") || c.Rootless), OciJson.Pretty.Spec);
        File.WriteAllText(path, json + "\n");
        return 0;
    });
}
