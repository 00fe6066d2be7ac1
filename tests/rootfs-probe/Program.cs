// rootfs-probe <bundle> [--no-pivot] [--console <path>]: prepares the bundle's root filesystem from inside the
// namespaces `unshare` made, then execs process.args. Exit 125 when the setup fails, with the
// error on stderr, so tests can assert on quai-runtime's error messages too.
using System.Text.Json;
using Quai.Oci;
using Quai.RootfsProbe;
using Quai.Runtime.Rootfs;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: rootfs-probe <bundle> [--no-pivot] [--console <path>]");
    return 2;
}
var bundle = Path.GetFullPath(args[0]);
var noPivot = args.Contains("--no-pivot");
var consoleAt = Array.IndexOf(args, "--console");
var console = consoleAt > 0 && consoleAt + 1 < args.Length ? args[consoleAt + 1] : null;
try
{
    var spec = JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(bundle, "config.json")), OciJsonContext.Default.Spec)
        ?? throw new InvalidDataException("config.json is null");
    var process = spec.Process ?? throw new InvalidDataException("config.json has no process");
    var argv = process.Args ?? throw new InvalidDataException("config.json has no process.args");
    using var exec = new Exec(argv[0], argv, process.Env ?? []);
    RootfsSetup.Prepare(spec, bundle, () => Console.Out.WriteLine("probe: before pivot"), noPivot);
    if (console is not null)
    {
        RootfsSetup.SetupConsoleDevice(console);
    }
    RootfsSetup.Finalize(spec);
    Directory.SetCurrentDirectory(process.Cwd);
    Console.Out.Flush();
    exec.Run();
    return 0;
}
catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or InvalidDataException or JsonException)
{
    Console.Error.WriteLine($"probe: {e.Message}");
    return 125;
}
