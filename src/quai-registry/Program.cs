// quai-registry: the OCI distribution server. The logic lives in Quai.Registry; this file only
// reads the command line:
//   quai-registry serve --addr HOST:PORT --root DIR [--config FILE]
//   quai-registry garbage-collect --root DIR [--dry-run]
using Quai.Registry;
using Quai.Registry.Storage;

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

const string Usage = "usage: quai-registry serve --addr HOST:PORT --root DIR [--config FILE]\n       quai-registry garbage-collect --root DIR [--dry-run]";
var root = Option("--root");
if (args.Length == 0 || root is null)
{
    Console.Error.WriteLine(Usage);
    return 2;
}
try
{
    switch (args[0])
    {
        case "serve":
            {
                var options = RegistryConfigFile.Load(Option("--config"), root, Option("--addr") ?? "127.0.0.1:5000");
                await using var server = await RegistryServer.StartAsync(options);
                Console.Error.WriteLine($"quai-registry: serving {Path.GetFullPath(root)} at {server.BaseAddress}");
                await server.WaitForShutdownAsync();
                return 0;
            }
        case "garbage-collect":
            {
                var dryRun = args.Contains("--dry-run");
                var deleted = await GarbageCollector.CollectAsync(new RepositoryStore(root), dryRun);
                foreach (var d in deleted)
                {
                    Console.WriteLine((dryRun ? "would delete " : "deleted ") + d);
                }
                return 0;
            }
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}
catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or System.Text.Json.JsonException or ArgumentException)
{
    Console.Error.WriteLine("quai-registry: " + e.Message);
    return 1;
}
