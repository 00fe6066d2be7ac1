using System.Text;
using System.Text.Json;
using Quai.Linux;
using Quai.Linux.Interop;
using Quai.Linux.Seccomp;
using Quai.Oci;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Security;

// SCMP_ACT_NOTIFY with linux.seccomp.listenerPath (config-linux.md#the-container-process-state):
// after seccomp_load, the runtime sends the filter's notification fd over SCM_RIGHTS, with the
// container process state as JSON, to the unix socket at listenerPath. The socket is connected
// in Compile, before pivot_root, because the path is on the host.
public sealed partial class SeccompProgram
{
    /// <summary>The only entry of the state's "fds" (config-linux.md#the-container-process-state).</summary>
    public const string SeccompFdName = "seccompFd";

    private FileDescriptorHandle? listener;
    private byte[]? listenerMessage;

    private static void CheckNotifyRule(LinuxSeccomp spec, LinuxSyscall rule, string where)
    {
        if (string.IsNullOrEmpty(spec.ListenerPath))
        {
            throw new ArgumentException($"{where}: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath, the unix socket of the agent that handles the notifications");
        }
        // The runtime hands the notification fd over with sendmsg after loading the filter; a
        // notify rule on sendmsg would block it on its own, not yet delivered, fd.
        if (rule.Names.Contains("sendmsg"))
        {
            throw new ArgumentException($"{where}: SCMP_ACT_NOTIFY cannot be used for sendmsg, which the runtime needs to hand the notification fd to the listener");
        }
    }

    /// <summary>The JSON "container process state" sent to the listener (runc's specs.ContainerProcessState).</summary>
    public static byte[] FormatListenerState(State state, string? metadata)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("ociVersion", SpecVersion.Current);
            json.WriteStartArray("fds");
            json.WriteStringValue(SeccompFdName);
            json.WriteEndArray();
            json.WriteNumber("pid", state.Pid);
            if (!string.IsNullOrEmpty(metadata))
            {
                json.WriteString("metadata", metadata);
            }
            json.WritePropertyName("state");
            JsonSerializer.Serialize(json, state, OciJsonContext.Default.State);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private unsafe void ConnectListener(LinuxSeccomp spec, State? state)
    {
        var path = spec.ListenerPath!;
        if (!UsesNotify)
        {
            // Nothing would ever be sent: connecting would only make the agent wait.
            return;
        }
        if (state is null)
        {
            throw new ArgumentException($"linux.seccomp.listenerPath {path}: the runtime must pass the container state to send with the notification fd");
        }
        var pathBytes = Encoding.UTF8.GetBytes(path);
        if (pathBytes.Length >= 108)
        {
            throw new ArgumentException($"linux.seccomp.listenerPath {path}: longer than the 107 bytes a unix socket path may have");
        }
        listenerMessage = FormatListenerState(state, spec.ListenerMetadata);
        var socket = new FileDescriptorHandle(
            LinuxException.ThrowIfError(Libc.Socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0), "socket", path));
        var address = new Libc.SockaddrUn { Family = Libc.AF_UNIX };
        pathBytes.CopyTo(new Span<byte>(address.Path, 108));
        if (Libc.Connect(socket.Fd, &address, (uint)(sizeof(ushort) + pathBytes.Length + 1)) != 0)
        {
            var e = LinuxException.FromLastError("connect", path);
            socket.Dispose();
            throw new InvalidOperationException($"cannot connect to the seccomp listener at {path}: {e.Message}; start the agent before the container", e);
        }
        listener = socket;
    }

    private unsafe void SendToListener()
    {
        if (listener is null || listenerMessage is null)
        {
            return;
        }
        using var notifyFd = new FileDescriptorHandle(LibSeccomp.ThrowIfError(LibSeccomp.SeccompNotifyFd(filter!), "seccomp_notify_fd"));
        var control = stackalloc byte[24]; // CMSG_SPACE(sizeof(int)) on LP64
        new Span<byte>(control, 24).Clear();
        var header = (Libc.CmsgHdr*)control;
        header->Length = (nuint)(sizeof(Libc.CmsgHdr) + sizeof(int));
        header->Level = Libc.SOL_SOCKET;
        header->Type = Libc.SCM_RIGHTS;
        *(int*)(control + sizeof(Libc.CmsgHdr)) = notifyFd.Fd;

        var sent = 0;
        fixed (byte* data = listenerMessage)
        {
            while (sent < listenerMessage.Length)
            {
                var iov = new Libc.IoVec { Base = data + sent, Length = (nuint)(listenerMessage.Length - sent) };
                // The fd travels with the first chunk only.
                var message = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = sent == 0 ? control : null, ControlLength = sent == 0 ? 24u : 0u };
                var n = Libc.Sendmsg(listener.Fd, &message, Libc.MSG_NOSIGNAL);
                if (n < 0)
                {
                    var e = LinuxException.FromLastError("sendmsg", "seccomp listener");
                    if (e.Errno == Errnos.EINTR)
                    {
                        continue;
                    }
                    throw new InvalidOperationException($"cannot send the seccomp notification fd to the listener: {e.Message}", e);
                }
                sent += (int)n;
            }
        }
        listener.Dispose();
        listener = null;
    }
}
