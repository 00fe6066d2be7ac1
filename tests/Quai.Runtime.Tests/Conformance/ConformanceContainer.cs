using System.Text.Json;
using Quai.Oci;
using Quai.Oci.Runtime;
using Quai.Testing;

namespace Quai.Runtime.Tests.Conformance;

/// <summary>
/// One container of one runtime under test: a busybox bundle, a private --root state directory
/// and a unique id, all in a temp dir. Dispose force-deletes the container, removes the
/// directory and fails the test if a cgroup named after the id is left anywhere under
/// /sys/fs/cgroup.
/// </summary>
public sealed class ConformanceContainer : IDisposable
{
    private readonly TempDir _dir;
    private bool _disposed;

    /// <summary>Makes the bundle; <paramref name="args"/> is the container's process.</summary>
    public ConformanceContainer(string runtime, params string[] args)
    {
        Testing.Root.Require();
        Runtime = RuntimeUnderTest.Get(runtime);
        _dir = new TempDir("quai-conf");
        Id = $"qc-{runtime}-{Guid.NewGuid().ToString("N")[..12]}";
        Bundle = _dir.Combine("bundle");
        StateRoot = _dir.Combine("state");
        Directory.CreateDirectory(StateRoot);
        Spec = OciBundle.DefaultSpec(args);
        OciBundle.Create(Bundle, Spec);
    }

    /// <summary>
    /// Runs `sh -c <paramref name="script"/>` in a fresh container (config changed by
    /// <paramref name="configure"/>) in the foreground, cleans up, and returns what `run` printed.
    /// </summary>
    public static RuntimeResult RunScript(string runtime, string script, Action<Spec>? configure = null)
    {
        using var c = new ConformanceContainer(runtime, "sh", "-c", script);
        if (configure != null)
        {
            configure(c.Spec);
            c.WriteConfig();
        }
        return c.Run();
    }

    /// <summary>The runtime binary under test.</summary>
    public RuntimeUnderTest Runtime { get; }

    /// <summary>The container id (unique per test).</summary>
    public string Id { get; }

    /// <summary>The bundle directory (config.json and rootfs).</summary>
    public string Bundle { get; }

    /// <summary>The bundle's rootfs.</summary>
    public string Rootfs => Path.Combine(Bundle, "rootfs");

    /// <summary>The runtime's --root.</summary>
    public string StateRoot { get; }

    /// <summary>The config; call <see cref="WriteConfig"/> after changing it.</summary>
    public Spec Spec { get; }

    /// <summary>A scratch path in the test's temp dir (outside the bundle).</summary>
    public string Scratch(string name) => _dir.Combine(name);

    /// <summary>Writes <see cref="Spec"/> to config.json again.</summary>
    public void WriteConfig() => OciBundle.WriteConfig(Bundle, Spec);

    /// <summary>Runs the runtime with --root and then <paramref name="args"/>.</summary>
    public RuntimeResult Cli(params string[] args) => Runtime.Invoke(["--root", StateRoot, .. args]);

    /// <summary>As <see cref="Cli"/> with a timeout, stdin file or wrapper argv.</summary>
    public RuntimeResult CliWith(TimeSpan? timeout, string? stdinFile, IEnumerable<string>? wrapper, params string[] args) =>
        Runtime.Invoke(["--root", StateRoot, .. args], timeout, stdinFile, wrapper);

    /// <summary>`run ID` in the foreground, bundle from the current directory option.</summary>
    public RuntimeResult Run(params string[] extra) => Cli(["run", "--bundle", Bundle, .. extra, Id]);

    /// <summary>`create --bundle B ID`, must succeed.</summary>
    public RuntimeResult Create(params string[] extra) => Cli(["create", "--bundle", Bundle, .. extra, Id]).EnsureSuccess();

    /// <summary>`start ID`, must succeed.</summary>
    public RuntimeResult Start() => Cli("start", Id).EnsureSuccess();

    /// <summary>`state ID` parsed with Quai.Oci's State type.</summary>
    public State State()
    {
        var r = Cli("state", Id).EnsureSuccess();
        return JsonSerializer.Deserialize(r.Stdout, OciJsonContext.Default.State) ?? throw new InvalidOperationException($"state of {Id} is JSON null: {r}");
    }

    /// <summary>`state ID` as a raw JSON document, for fields the State type does not model.</summary>
    public JsonDocument StateJson() => JsonDocument.Parse(Cli("state", Id).EnsureSuccess().Stdout);

    /// <summary>`exec ID args...`, output collected.</summary>
    public RuntimeResult Exec(params string[] args) => Cli(["exec", Id, .. args]);

    /// <summary>`exec OPTIONS ID args...`, output collected.</summary>
    public RuntimeResult ExecWith(string[] options, params string[] args) => Cli(["exec", .. options, Id, .. args]);

    /// <summary>
    /// Polls `state` until the status is <paramref name="status"/> (10 s at most). A container
    /// that does not exist yet is waited for too: runc sends the console fd before it has
    /// saved the state of a container it is still creating.
    /// </summary>
    public State WaitForStatus(string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var r = Cli("state", Id);
            var s = r.ExitCode == 0 ? JsonSerializer.Deserialize(r.Stdout, OciJsonContext.Default.State) : null;
            if (s?.Status == status)
            {
                return s;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Runtime} container {Id} is not '{status}' after 10 s: {(s != null ? s.Status : r.ToString())}");
            }
            Thread.Sleep(20);
        }
    }

    /// <summary>Starts the container and waits until its process has run to the end.</summary>
    public void StartAndWaitStopped()
    {
        Start();
        WaitForStatus(ContainerStatus.Stopped);
    }

    /// <summary>Cgroup directories named after the id, anywhere in the first levels of /sys/fs/cgroup.</summary>
    public IReadOnlyList<string> LeftoverCgroups() => FindNamed("/sys/fs/cgroup", Id, depth: 6).ToList();

    private static IEnumerable<string> FindNamed(string dir, string name, int depth)
    {
        string[] children;
        try
        {
            children = Directory.GetDirectories(dir);
        }
        catch (DirectoryNotFoundException)
        {
            yield break;
        }
        catch (UnauthorizedAccessException)
        {
            yield break;
        }
        foreach (var c in children)
        {
            if (Path.GetFileName(c) == name)
            {
                yield return c;
            }
            else if (depth > 1)
            {
                foreach (var f in FindNamed(c, name, depth - 1))
                {
                    yield return f;
                }
            }
        }
    }

    /// <summary>Force-deletes the container, removes its files, and fails on leftover cgroups.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            // delete --force kills whatever still runs (runtime.md#delete); errors are expected
            // when the test already deleted the container.
            Cli("delete", "--force", Id);
            var deadline = DateTime.UtcNow.AddSeconds(5);
            var left = LeftoverCgroups();
            while (left.Count > 0 && DateTime.UtcNow < deadline)
            {
                // A killed container's cgroup empties asynchronously; give the runtime a moment.
                Thread.Sleep(50);
                left = LeftoverCgroups();
            }
            if (left.Count > 0)
            {
                foreach (var c in left)
                {
                    try
                    {
                        Directory.Delete(c);
                    }
                    catch (IOException)
                    {
                    }
                }
                throw new InvalidOperationException($"{Runtime} left cgroups of {Id} behind after delete --force: {string.Join(", ", left)}");
            }
        }
        finally
        {
            _dir.Dispose();
        }
    }
}
