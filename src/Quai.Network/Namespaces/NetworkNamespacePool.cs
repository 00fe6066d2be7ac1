using System.Runtime.InteropServices;
using Quai.Linux;
using Quai.Linux.Interop;

namespace Quai.Network.Namespaces;

/// <summary>
/// Hands out new named network namespaces (<see cref="NetworkNamespace.Create"/>'s) made ahead of
/// need. Making one is a thread of its own, unshare(CLONE_NEWNET), lo brought up and a bind mount:
/// ~1 ms that every container start waited for, on the critical path of `docker run`, while the
/// host's other CPU was mostly idle. A spare is made in the background (<c>.spare-*</c> in the
/// directory) and given its container's name with one bind mount; the next spare is made after.
/// Spares left by a daemon that died are removed when the pool is made; <see cref="Dispose"/>
/// removes the one made.
/// </summary>
public sealed class NetworkNamespacePool : IDisposable
{
    private const string SparePrefix = ".spare-";
    private readonly string _directory;
    private readonly Lock _gate = new();
    private NetworkNamespace? _spare;
    private Task _making = Task.CompletedTask;
    private bool _disposed;

    /// <summary>A pool for namespaces under <paramref name="directory"/>; removes stale spares and starts making one.</summary>
    public NetworkNamespacePool(string directory)
    {
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
        foreach (var stale in Directory.EnumerateFiles(_directory, SparePrefix + "*"))
        {
            NetworkNamespace.Delete(stale);
        }
        Refill();
    }

    /// <summary>
    /// A new namespace with lo up at <c>&lt;directory&gt;/&lt;name&gt;</c>, as
    /// <see cref="NetworkNamespace.Create"/> makes it (and throws: the name taken, or the kernel's
    /// error); from the spare when there is one.
    /// </summary>
    public NetworkNamespace Create(string name)
    {
        NetworkNamespace? spare;
        lock (_gate)
        {
            spare = _spare;
            _spare = null;
        }
        try
        {
            return spare is null ? NetworkNamespace.Create(_directory, name) : Rename(spare, name);
        }
        finally
        {
            if (spare is not null)
            {
                spare.Delete();
            }
            Refill();
        }
    }

    /// <summary>Removes the spare (waiting for one being made).</summary>
    public void Dispose()
    {
        Task making;
        lock (_gate)
        {
            _disposed = true;
            making = _making;
        }
        making.Wait(TimeSpan.FromSeconds(10));
        lock (_gate)
        {
            _spare?.Delete();
            _spare = null;
        }
    }

    /// <summary>Binds the spare's namespace at <paramref name="name"/> (the spare's own file is removed by the caller).</summary>
    private NetworkNamespace Rename(NetworkNamespace spare, string name)
    {
        var path = Path.Combine(_directory, name);
        // As Create: an empty file as the mount point; O_EXCL makes two users of one name collide.
        var fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, 0);
        if (fd == -1)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == 17
                ? new IOException($"network namespace '{name}' already exists at {path}; delete it first or choose another name")
                : new LinuxException("open", errno, path);
        }
        Libc.Close(fd);
        try
        {
            Mounts.Mount(spare.Path, path, null, MountFlags.MS_BIND);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        return NetworkNamespace.Open(_directory, name);
    }

    private void Refill()
    {
        lock (_gate)
        {
            if (_disposed || _spare is not null || !_making.IsCompleted)
            {
                return;
            }
            _making = Task.Run(() =>
            {
                NetworkNamespace made;
                try
                {
                    made = NetworkNamespace.Create(_directory, SparePrefix + Guid.NewGuid().ToString("N")[..12]);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return; // Create makes its own then, and says why.
                }
                lock (_gate)
                {
                    if (!_disposed && _spare is null)
                    {
                        _spare = made;
                        return;
                    }
                }
                made.Delete();
            });
        }
    }
}
