using System.Text.Json;
using Quai.Oci.Runtime;
using Quai.Testing;

namespace Quai.Runtime.Tests.Security;

/// <summary>Root integration: SCMP_ACT_NOTIFY hands the notification fd to a listening agent.</summary>
public class SeccompNotifyProbeTests
{
    [Fact]
    public async Task AgentReceivesTheStateAndDecidesTheSyscall()
    {
        using var dir = new TempDir();
        using var agent = new SeccompAgent(dir.Combine("agent.sock"));
        var spec = SecurityProbe.Shell($"mkdir {dir.Combine("d")}; echo mkdir=$?");
        spec.Process!.NoNewPrivileges = true;
        spec.Linux = new Quai.Oci.Runtime.Linux
        {
            Seccomp = new LinuxSeccomp
            {
                DefaultAction = "SCMP_ACT_ALLOW",
                ListenerPath = agent.Path,
                ListenerMetadata = "test-metadata",
                Syscalls = [new LinuxSyscall { Names = ["mkdir", "mkdirat"], Action = "SCMP_ACT_NOTIFY" }],
            },
        };

        var run = Task.Run(() => SecurityProbe.Run(spec));
        var (state, notifyFd) = agent.Receive();
        try
        {
            Assert.True(notifyFd > 2, $"no fd with the state: {state}");
            using var json = JsonDocument.Parse(state);
            Assert.Equal("seccompFd", json.RootElement.GetProperty("fds")[0].GetString());
            Assert.Equal("test-metadata", json.RootElement.GetProperty("metadata").GetString());
            Assert.Equal("security-probe", json.RootElement.GetProperty("state").GetProperty("id").GetString());
            Assert.True(json.RootElement.GetProperty("pid").GetInt32() > 1);

            var syscall = SeccompAgent.AnswerOne(notifyFd, 30); // EROFS
            Assert.Contains(syscall, new[] { 83, 258, 34 }); // mkdir, mkdirat (x86-64); mkdirat (aarch64)
        }
        finally
        {
            if (notifyFd > 2)
            {
                SeccompAgent.CloseFd(notifyFd);
            }
        }

        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("mkdir=1", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Read-only file system", result.Stderr, StringComparison.Ordinal);
    }
}
