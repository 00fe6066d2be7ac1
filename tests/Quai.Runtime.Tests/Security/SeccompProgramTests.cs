using Quai.Linux.Seccomp;
using Quai.Oci.Runtime;
using Quai.Runtime.Security;

namespace Quai.Runtime.Tests.Security;

public class SeccompProgramTests
{
    [Fact]
    public void DockerLikeProfileCompilesToANonEmptyProgram()
    {
        var warnings = new List<string>();
        using var program = SeccompProgram.Compile(DockerLikeProfile.Create(), warnings.Add);
        var bpf = program.ExportBpf();

        // struct sock_filter is 8 bytes; a profile of this size needs hundreds of instructions.
        Assert.True(bpf.Length > 8 * 100, $"only {bpf.Length} bytes of BPF");
        Assert.Equal(0, bpf.Length % 8);
        Assert.Equal(SeccompActions.Errno(1), program.DefaultAction);
        Assert.Subset(program.UnknownSyscalls.ToHashSet(), DockerLikeProfile.FutureNames.ToHashSet());
        Assert.Contains(warnings, w => w.Contains("quai_future_syscall", StringComparison.Ordinal));
        // Allowed names known to libseccomp (one rule each) + 5 personality + clone + clone3.
        Assert.True(program.RuleCount > 300, $"{program.RuleCount} rules");
        Assert.False(program.UsesNotify);
    }

    [Fact]
    public void RuleWithTheDefaultActionIsSkipped()
    {
        using var with = SeccompProgram.Compile(Profile("SCMP_ACT_ALLOW", new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_ALLOW" }));
        Assert.Equal(0, with.RuleCount);
    }

    [Fact]
    public void RepeatedArgumentIndexBecomesSeparateRules()
    {
        var rule = new LinuxSyscall
        {
            Names = ["personality"],
            Action = "SCMP_ACT_ERRNO",
            Args =
            [
                new LinuxSeccompArg { Index = 0, Value = 1, Op = "SCMP_CMP_EQ" },
                new LinuxSeccompArg { Index = 0, Value = 2, Op = "SCMP_CMP_EQ" },
            ],
        };
        using var program = SeccompProgram.Compile(Profile("SCMP_ACT_ALLOW", rule));
        Assert.Equal(2, program.RuleCount);
    }

    [Fact]
    public void UnknownArchitectureIsAnError()
    {
        var spec = Profile("SCMP_ACT_ALLOW");
        spec.Architectures = ["SCMP_ARCH_PDP11"];
        Assert.Contains("SCMP_ARCH_PDP11", Assert.Throws<ArgumentException>(() => SeccompProgram.Compile(spec)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForeignArchitecturesAreAdded()
    {
        var spec = Profile("SCMP_ACT_ALLOW", new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_ERRNO" });
        spec.Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64", "SCMP_ARCH_RISCV64"];
        using var native = SeccompProgram.Compile(Profile("SCMP_ACT_ALLOW", new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_ERRNO" }));
        using var multi = SeccompProgram.Compile(spec);
        Assert.True(multi.ExportBpf().Length > native.ExportBpf().Length);
    }

    [Fact]
    public void SupportedFlagsAreAppliedAndUnknownOnesRefused()
    {
        var spec = Profile("SCMP_ACT_ALLOW");
        spec.Flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"];
        using (SeccompProgram.Compile(spec))
        {
        }
        spec.Flags = ["SECCOMP_FILTER_FLAG_BOGUS"];
        Assert.Throws<ArgumentException>(() => SeccompProgram.Compile(spec));
    }

    [Fact]
    public void WaitKillableRecvNeedsLibseccomp26()
    {
        var spec = Profile("SCMP_ACT_ALLOW");
        spec.Flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"];
        if (LibSeccomp.LibraryVersion < new Version(2, 6))
        {
            var e = Assert.Throws<NotSupportedException>(() => SeccompProgram.Compile(spec));
            Assert.Contains("2.6", e.Message, StringComparison.Ordinal);
        }
        else
        {
            using var program = SeccompProgram.Compile(spec);
            Assert.NotEmpty(program.ExportBpf());
        }
    }

    [Fact]
    public void ArgumentIndexAboveFiveIsAnError()
    {
        var rule = new LinuxSyscall { Names = ["read"], Action = "SCMP_ACT_ERRNO", Args = [new LinuxSeccompArg { Index = 6, Op = "SCMP_CMP_EQ" }] };
        var e = Assert.Throws<ArgumentException>(() => SeccompProgram.Compile(Profile("SCMP_ACT_ALLOW", rule)));
        Assert.Contains("syscalls[0].args[0]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotifyNeedsAListenerPath()
    {
        var e = Assert.Throws<ArgumentException>(() => SeccompProgram.Compile(Profile("SCMP_ACT_ALLOW", new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_NOTIFY" })));
        Assert.Contains("listenerPath", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotifyAsDefaultActionIsRefused() =>
        Assert.Throws<ArgumentException>(() => SeccompProgram.Compile(Profile("SCMP_ACT_NOTIFY")));

    [Fact]
    public void NotifyOnSendmsgIsRefused()
    {
        var spec = Profile("SCMP_ACT_ALLOW", new LinuxSyscall { Names = ["sendmsg"], Action = "SCMP_ACT_NOTIFY" });
        spec.ListenerPath = "/run/agent.sock";
        Assert.Contains("sendmsg", Assert.Throws<ArgumentException>(() => SeccompProgram.Compile(spec, listenerState: new State())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotifyWithoutAListeningAgentFailsNamingThePath()
    {
        using var dir = new Quai.Testing.TempDir();
        var spec = Profile("SCMP_ACT_ALLOW", new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_NOTIFY" });
        spec.ListenerPath = dir.Combine("nobody-listens.sock");
        var e = Assert.Throws<InvalidOperationException>(() => SeccompProgram.Compile(spec, listenerState: new State { Id = "c1", Pid = 1 }));
        Assert.Contains(spec.ListenerPath, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotifyWithoutAContainerStateIsRefused()
    {
        var spec = Profile("SCMP_ACT_ALLOW", new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_NOTIFY" });
        spec.ListenerPath = "/run/agent.sock";
        Assert.Contains("container state", Assert.Throws<ArgumentException>(() => SeccompProgram.Compile(spec)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListenerPathLongerThanASocketPathIsRefused()
    {
        var spec = Profile("SCMP_ACT_ALLOW", new LinuxSyscall { Names = ["mkdir"], Action = "SCMP_ACT_NOTIFY" });
        spec.ListenerPath = "/run/" + new string('a', 120) + ".sock";
        Assert.Contains("107 bytes", Assert.Throws<ArgumentException>(() => SeccompProgram.Compile(spec, listenerState: new State())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListenerStateIsTheContainerProcessState()
    {
        var json = System.Text.Encoding.UTF8.GetString(SeccompProgram.FormatListenerState(new State { Id = "c1", Pid = 42, Status = "creating", Bundle = "/b" }, "meta"));
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("seccompFd", root.GetProperty("fds")[0].GetString());
        Assert.Equal(42, root.GetProperty("pid").GetInt32());
        Assert.Equal("meta", root.GetProperty("metadata").GetString());
        Assert.Equal("c1", root.GetProperty("state").GetProperty("id").GetString());
    }

    [Fact]
    public void DisposedProgramCannotBeLoaded()
    {
        var program = SeccompProgram.Compile(Profile("SCMP_ACT_ALLOW"));
        program.Dispose();
        Assert.Throws<ObjectDisposedException>(program.Load);
    }

    private static LinuxSeccomp Profile(string defaultAction, params LinuxSyscall[] rules) => new()
    {
        DefaultAction = defaultAction,
        Syscalls = [.. rules],
    };
}
