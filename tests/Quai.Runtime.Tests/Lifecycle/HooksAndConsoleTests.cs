using System.Net.Sockets;
using System.Text;
using Quai.Linux;
using Quai.Oci.Runtime;
using OciHooks = Quai.Oci.Runtime.Hooks;

namespace Quai.Runtime.Tests.Lifecycle;

/// <summary>Hooks in lifecycle order and a terminal through runc's console-socket protocol (root, real kernel).</summary>
public class HooksAndConsoleTests
{
    [Fact]
    public void Hooks_run_in_lifecycle_order_with_the_state_on_stdin()
    {
        using var c = new TestContainer(s => s.Process!.Args = ["true"]);
        var log = c.RootfsPath("hooks.log");
        // Host-side hooks write the host path; startContainer runs in the container after pivot_root.
        Hook Host(string name) => new() { Path = "/bin/sh", Args = ["sh", "-c", $"s=$(cat); case \"$s\" in *'\"id\":\"{c.Id}\"'*) echo {name} >> {log};; *) echo {name}-nostate >> {log};; esac"] };
        c.Spec.Hooks = new OciHooks
        {
            Prestart = [Host("prestart")],
            CreateRuntime = [Host("createRuntime")],
            CreateContainer = [Host("createContainer")],
            StartContainer = [new Hook { Path = "/bin/sh", Args = ["sh", "-c", "echo startContainer >> /hooks.log"] }],
            Poststart = [Host("poststart")],
            Poststop = [Host("poststop")],
        };
        c.WriteSpec();
        var (code, _, err) = c.Runtime("run", "--bundle", c.Bundle, c.Id);
        Assert.True(code == 0, err);
        Assert.Equal(["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"], File.ReadAllLines(log));
    }

    [Fact]
    public void Failing_create_hook_fails_create_and_cleans_up()
    {
        using var c = new TestContainer(s =>
        {
            s.Process!.Args = ["true"];
            s.Hooks = new OciHooks { CreateRuntime = [new Hook { Path = "/bin/false" }] };
        });
        var (code, _, err) = c.Runtime("create", "--bundle", c.Bundle, c.Id);
        Assert.Equal(1, code);
        Assert.Contains("createRuntime hook /bin/false failed", err, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(c.StateRoot));
    }

    [Fact]
    public void Failing_startContainer_hook_fails_start_and_the_program_never_runs()
    {
        // runtime.md#lifecycle: a failing startContainer hook MUST make start an error and stop the container.
        using var c = new TestContainer(s =>
        {
            s.Process!.Args = ["sh", "-c", "touch /ran"];
            s.Root!.Readonly = false;
            s.Hooks = new OciHooks { StartContainer = [new Hook { Path = "/bin/false" }] };
        });
        Assert.Equal(0, c.Runtime("create", "--bundle", c.Bundle, c.Id).Code);
        var (code, _, err) = c.Runtime("start", c.Id);
        Assert.True(code == 1, $"start exited {code}: {err}");
        Assert.Contains("startContainer hook /bin/false failed", err, StringComparison.Ordinal);
        Assert.False(File.Exists(c.RootfsPath("/ran")), "the program ran although its startContainer hook failed");
        Assert.Equal(ContainerStatus.Stopped, c.Status());
    }

    [Fact]
    public async Task Terminal_master_arrives_over_the_console_socket()
    {
        using var c = new TestContainer(s =>
        {
            s.Process!.Terminal = true;
            s.Process.ConsoleSize = new ConsoleSize { Height = 30, Width = 100 };
            s.Process.Args = ["sh", "-c", "echo hello-tty; stty size; tty"];
        });
        var socketPath = Path.Combine(c.Scratch, "console.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        var create = Task.Run(() => c.Runtime("create", "--bundle", c.Bundle, "--console-socket", socketPath, c.Id));
        using var peer = listener.Accept();
        var (master, name) = UnixSocket.ReceiveFd((int)peer.Handle);
        using (master)
        {
            var result = await create;
            Assert.True(result.Code == 0, result.Err);
            Assert.StartsWith("/dev/pts/", Encoding.UTF8.GetString(name), StringComparison.Ordinal);
            Assert.Equal(0, c.Runtime("start", c.Id).Code);
            var output = new StringBuilder();
            var buffer = new byte[4096];
            try
            {
                int n;
                while ((n = FdIo.ReadSome(master.Fd, buffer, "pty master")) > 0)
                {
                    output.Append(Encoding.UTF8.GetString(buffer, 0, n));
                }
            }
            catch (LinuxException e) when (e.Errno == Errnos.EIO)
            {
                // EIO: the container closed the last slave fd.
            }
            var text = output.ToString();
            Assert.Contains("hello-tty", text, StringComparison.Ordinal);
            Assert.Contains("30 100", text, StringComparison.Ordinal);
            Assert.Contains("/dev/pts/0", text, StringComparison.Ordinal);
        }
    }
}
