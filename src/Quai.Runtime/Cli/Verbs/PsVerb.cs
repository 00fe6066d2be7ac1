using System.Globalization;
using System.Text;
using System.Text.Json;
using Quai.Linux;
using Quai.Linux.Interop;
using Quai.Runtime.Store;

namespace Quai.Runtime.Cli.Verbs;

/// <summary>`ps [--format table|json] ID`: the container's processes (pids from its cgroup).</summary>
public static unsafe class PsVerb
{
    public static readonly Verb Definition = new("ps", "[--format table|json] <container-id>", "list the processes of a container", [new("format", 'f', TakesValue: true)], 1, 1, (c, a) =>
    {
        var pids = c.Service.Pids(a.Positionals[0]);
        switch (a.Get("format") ?? "table")
        {
            case "json":
                Console.Out.Write(JsonSerializer.Serialize(pids.ToList(), RuntimeJsonContext.Default.ListInt32) + "\n");
                return 0;
            case "table":
                Console.Out.Write(Filter(RunPs(), pids));
                return 0;
            default:
                throw new RuntimeException($"invalid --format \"{a.Get("format")}\": use table or json");
        }
    });

    /// <summary>Keeps the header and the lines of `ps -ef` whose PID column is one of <paramref name="pids"/>.</summary>
    public static string Filter(string psOutput, IReadOnlyList<int> pids)
    {
        var lines = psOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
        {
            return "";
        }
        var header = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var column = Array.IndexOf(header, "PID");
        var set = pids.ToHashSet();
        var sb = new StringBuilder(lines[0]).Append('\n');
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (column >= 0 && fields.Length > column && int.TryParse(fields[column], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && set.Contains(pid))
            {
                sb.Append(line).Append('\n');
            }
        }
        return sb.ToString();
    }

    private static string RunPs()
    {
        int* fds = stackalloc int[2];
        LinuxException.ThrowIfError(Libc.Pipe2(fds, Libc.O_CLOEXEC), "pipe2", "ps");
        using var readEnd = new FileDescriptorHandle(fds[0]);
        int pid;
        using (var writeEnd = new FileDescriptorHandle(fds[1]))
        {
            pid = Spawn.Start("/bin/ps", ["ps", "-ef"], ["PATH=/usr/bin:/bin", "LC_ALL=C"], [(0, 0), (writeEnd.Fd, 1), (2, 2)]);
        }
        var output = new MemoryStream();
        var buffer = new byte[16384];
        int n;
        while ((n = FdIo.ReadSome(readEnd.Fd, buffer, "ps output")) > 0)
        {
            output.Write(buffer, 0, n);
        }
        var status = Spawn.Wait(pid);
        return status.ExitCode == 0 ? Encoding.UTF8.GetString(output.ToArray()) : throw new RuntimeException($"ps -ef failed: exit status {status.ShellExitCode}");
    }
}
