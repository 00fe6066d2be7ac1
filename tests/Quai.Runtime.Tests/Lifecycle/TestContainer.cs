using System.Text.Json;
using Quai.Oci;
using Quai.Oci.Runtime;
using Quai.Runtime.Container;
using Quai.Testing;

namespace Quai.Runtime.Tests.Lifecycle;

/// <summary>
/// A busybox bundle, a private --root and a unique id for one test; disposing force-deletes the
/// container (killing what is left, removing its cgroup) and removes every directory.
/// </summary>
public sealed class TestContainer : IDisposable
{
    private static int s_counter;
    private readonly TempDir _dir = new("quai-rt");

    public TestContainer(Action<Spec>? configure = null)
    {
        Quai.Testing.Root.Require();
        Id = $"rt{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}";
        Directory.CreateDirectory(Bundle);
        Directory.CreateDirectory(StateRoot);
        Directory.CreateDirectory(Scratch);
        Busybox.CreateRootfs(Path.Combine(Bundle, "rootfs"));
        Spec = DefaultSpec.Create(rootless: false);
        Spec.Process!.Terminal = false;
        Spec.Root!.Readonly = false;
        // Inherited stdio; drop the defaults that busybox tests do not need.
        Spec.Hostname = "quai-test";
        configure?.Invoke(Spec);
        WriteSpec();
    }

    public string Id { get; }
    public Spec Spec { get; }
    public string Bundle => _dir.Combine("bundle");
    public string StateRoot => _dir.Combine("root");
    public string Scratch => _dir.Combine("scratch");
    public string RootfsPath(string inside) => Path.Combine(Bundle, "rootfs", inside.TrimStart('/'));

    /// <summary>Rewrites config.json from <see cref="Spec"/>.</summary>
    public void WriteSpec() => File.WriteAllText(Path.Combine(Bundle, "config.json"), JsonSerializer.Serialize(Spec, OciJsonContext.Default.Spec));

    /// <summary>quai-runtime --root ROOT ARGS...</summary>
    public (int Code, string Out, string Err) Runtime(params string[] args) => RuntimeBinary.Run(Scratch, ["--root", StateRoot, .. args]);

    /// <summary>As <see cref="Runtime"/>, with the quai-runtime at <paramref name="binary"/>.</summary>
    public (int Code, string Out, string Err) RuntimeAt(string binary, params string[] args) =>
        RuntimeBinary.RunBinary(binary, Scratch, null, ["--root", StateRoot, .. args]);

    /// <summary>The container's status from `state`, or null when it does not exist.</summary>
    public string? Status()
    {
        var (code, output, _) = Runtime("state", Id);
        return code != 0 ? null : JsonDocument.Parse(output).RootElement.GetProperty("status").GetString();
    }

    /// <summary>The init pid from `state`.</summary>
    public int Pid()
    {
        var (_, output, _) = Runtime("state", Id);
        return JsonDocument.Parse(output).RootElement.GetProperty("pid").GetInt32();
    }

    /// <summary>Polls until `state` reports <paramref name="status"/> (5 s).</summary>
    public void WaitForStatus(string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Status() != status)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"container {Id} did not reach {status}; it is {Status()}");
            }
            Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        try
        {
            Runtime("delete", "--force", Id);
        }
        finally
        {
            _dir.Dispose();
        }
    }
}
