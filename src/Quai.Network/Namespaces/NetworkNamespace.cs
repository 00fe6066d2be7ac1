using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Quai.Linux;
using Quai.Linux.Interop;
using LinuxNamespaces = Quai.Linux.Namespaces;

namespace Quai.Network.Namespaces;

/// <summary>
/// A persistent, named network namespace bind-mounted at <c>&lt;directory&gt;/&lt;name&gt;</c>, as
/// <c>ip netns add</c> makes them (ip-netns(8)); and a helper to run code inside any netns on a
/// dedicated thread, since setns(2) changes only the calling thread's namespace.
/// </summary>
public sealed class NetworkNamespace
{
    // statfs(2) f_type of nsfs, the filesystem behind /proc/*/ns/* (linux/magic.h NSFS_MAGIC).
    private const long NsfsMagic = 0x6e736673;
    private const int EINVAL = 22;
    private const int ENOENT = 2;

    private NetworkNamespace(string name, string path)
    {
        Name = name;
        Path = path;
    }

    /// <summary>The namespace's name (file name under its directory).</summary>
    public string Name { get; }

    /// <summary>The bind-mounted namespace file: pass it as CNI_NETNS or to setns(2).</summary>
    public string Path { get; }

    /// <summary>
    /// Creates a new network namespace with <c>lo</c> up and bind-mounts it at
    /// <c>&lt;directory&gt;/&lt;name&gt;</c>; throws if that name is taken. Nothing is left behind on failure.
    /// </summary>
    public static NetworkNamespace Create(string directory, string name)
    {
        ValidateName(name);
        Directory.CreateDirectory(directory);
        var path = System.IO.Path.Combine(System.IO.Path.GetFullPath(directory), name);
        // The mount point is an empty file; O_EXCL makes two creators of one name collide here.
        var fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, 0);
        if (fd == -1)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == 17)
            {
                throw new IOException($"network namespace '{name}' already exists at {path}; delete it first or choose another name");
            }
            throw new LinuxException("open", errno, path);
        }
        Libc.Close(fd);
        try
        {
            RunOnDedicatedThread(() =>
            {
                // unshare(2) moves only this thread into the new namespace; the thread ends
                // right after, and the bind mount keeps the namespace alive (ip-netns(8)).
                LinuxNamespaces.Unshare(LinuxNamespaces.CLONE_NEWNET);
                BringLoopbackUp();
                Mounts.Mount("/proc/thread-self/ns/net", path, null, MountFlags.MS_BIND);
                return 0;
            });
        }
        catch
        {
            _ = Mounts.TryDetach(path);
            File.Delete(path);
            throw;
        }
        return new NetworkNamespace(name, path);
    }

    /// <summary>Opens an existing named namespace; throws if <c>&lt;directory&gt;/&lt;name&gt;</c> is not one.</summary>
    public static NetworkNamespace Open(string directory, string name)
    {
        ValidateName(name);
        var path = System.IO.Path.Combine(System.IO.Path.GetFullPath(directory), name);
        if (!IsNamespaceFile(path))
        {
            throw new FileNotFoundException($"network namespace '{name}' does not exist at {path}", path);
        }
        return new NetworkNamespace(name, path);
    }

    /// <summary>True when <paramref name="path"/> is a mounted namespace file (nsfs).</summary>
    public static bool IsNamespaceFile(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        try
        {
            return Mounts.GetFileSystemType(path) == NsfsMagic;
        }
        catch (LinuxException)
        {
            return false;
        }
    }

    /// <summary>Unmounts and removes this namespace's file; idempotent.</summary>
    public void Delete() => Delete(Path);

    /// <summary>Unmounts and removes a namespace file; idempotent (a missing or unmounted file is fine).</summary>
    public static void Delete(string path)
    {
        // MNT_DETACH: a process still inside keeps the namespace; the name goes away now.
        var errno = Mounts.TryDetach(path);
        if (errno != 0 && errno != EINVAL && errno != ENOENT)
        {
            throw new LinuxException("umount2", errno, path);
        }
        File.Delete(path);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a new thread that has joined the network namespace at
    /// <paramref name="netnsPath"/>; sockets it creates stay in that namespace for their lifetime
    /// and may be used from any thread afterwards. The thread returns to its namespace and ends.
    /// Keep <paramref name="action"/> synchronous and short: a thread started (or a thread-pool
    /// worker injected) from inside it would inherit the container's namespace for good.
    /// </summary>
    public static T RunInside<T>(string netnsPath, Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return RunOnDedicatedThread(() =>
        {
            using var original = new FileDescriptorHandle(LinuxException.ThrowIfError(
                Libc.Open("/proc/thread-self/ns/net", Libc.O_RDONLY | Libc.O_CLOEXEC, 0), "open", "/proc/thread-self/ns/net"));
            LinuxNamespaces.Join(netnsPath, LinuxNamespaces.CLONE_NEWNET);
            try
            {
                return action();
            }
            finally
            {
                // Go back before the thread ends: nothing on this thread may outlive the call
                // in the container's namespace by accident.
                LinuxException.ThrowIfError(Libc.Setns(original.Fd, LinuxNamespaces.CLONE_NEWNET), "setns", "original network namespace");
            }
        });
    }

    /// <summary>Runs <paramref name="action"/> inside this namespace (see <see cref="RunInside{T}(string, Func{T})"/>).</summary>
    public T RunInside<T>(Func<T> action) => RunInside(Path, action);

    /// <summary>Brings the loopback interface of the calling thread's network namespace up (SIOCSIFFLAGS, netdevice(7)).</summary>
    internal static unsafe void BringLoopbackUp()
    {
        const uint SIOCGIFFLAGS = 0x8913;
        const uint SIOCSIFFLAGS = 0x8914;
        const short IFF_UP = 0x1;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var fd = (int)socket.SafeHandle.DangerousGetHandle();
        var request = default(IfReqFlags);
        request.Name[0] = (byte)'l';
        request.Name[1] = (byte)'o';
        LinuxException.ThrowIfError(Libc.Ioctl(fd, SIOCGIFFLAGS, &request), "ioctl(SIOCGIFFLAGS)", "lo");
        request.Flags |= IFF_UP;
        LinuxException.ThrowIfError(Libc.Ioctl(fd, SIOCSIFFLAGS, &request), "ioctl(SIOCSIFFLAGS)", "lo");
    }

    private static T RunOnDedicatedThread<T>(Func<T> action)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = action();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "quai-netns",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid network namespace name '{name}'", nameof(name));
        }
    }

    /// <summary>struct ifreq with the ifr_flags member of its union (netdevice(7)); 40 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 40)]
    private unsafe struct IfReqFlags
    {
        public fixed byte Name[16];
        public short Flags;
    }
}
