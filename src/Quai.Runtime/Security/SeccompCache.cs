using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Quai.Linux.Interop;
using Quai.Linux.Seccomp;
using Quai.Oci.Runtime;

namespace Quai.Runtime.Security;

/// <summary>
/// Compiled seccomp filters kept under the runtime's root (<c>ROOT/.seccomp/KEY.bpf</c>), so
/// that a container started with a profile seen before skips libseccomp: building and
/// generating docker's default profile (some 350 rules) costs ~7 ms of every create, loading the
/// saved classic BPF with seccomp(2) costs nothing measurable. crun keeps such a cache too.
/// </summary>
/// <remarks>
/// <para>The key is linux.seccomp as serialised, the libseccomp version, the architecture and
/// the runtime binary's identity (path, size, mtime): any of them changing makes a new entry.
/// The file is named by a 64-bit FNV-1a of the key, and holds the key itself, compared byte for
/// byte on every read: a colliding profile is a miss, never another profile's filter. (A SHA-256
/// name would load OpenSSL into every create: ~2 ms of dlopen, relocations and initialisation,
/// measured with perf, for a hash that needs no collision resistance once the key is compared.) Only filters libseccomp would load with no attribute beyond ours are
/// cached (no linux.seccomp.flags, no listener, no SCMP_ACT_NOTIFY), so installing the saved
/// program with seccomp(SECCOMP_SET_MODE_FILTER, 0) is what seccomp_load(3) would do: the BPF is
/// the one seccomp_export_bpf(3) wrote for the same filter.</para>
/// <para>The directory is created 0700 under the root (which only root can write); entries are
/// written to a temporary file and renamed, and a damaged or foreign one reads as a miss. At most
/// <see cref="MaxEntries"/> are kept, the least recently written go first.</para>
/// </remarks>
internal static class SeccompCache
{
    /// <summary>Entries kept before the oldest are removed.</summary>
    public const int MaxEntries = 64;

    private static readonly byte[] Magic = "QSBPF2\n"u8.ToArray();

    /// <summary>A cached filter: the BPF program and what the compile reported.</summary>
    public sealed record Entry(byte[] Bpf, uint DefaultAction, int RuleCount, IReadOnlyList<string> UnknownSyscalls);

    /// <summary>True when <paramref name="spec"/> is cacheable: no flags, no listener, no notify rule.</summary>
    public static bool Applies(LinuxSeccomp spec) =>
        spec.Flags is not { Count: > 0 }
        && string.IsNullOrEmpty(spec.ListenerPath)
        && spec.Syscalls?.Any(s => s.Action == "SCMP_ACT_NOTIFY") != true;

    /// <summary>Where a filter is cached and the key it is cached under.</summary>
    public sealed record Key(string Path, byte[] Identity);

    /// <summary>
    /// The cache key of <paramref name="spec"/> under <paramref name="directory"/>, or null when the
    /// runtime binary, part of the key, cannot be named (the init of a container whose mount
    /// namespace is joined by path runs from a sealed memfd copy).
    /// </summary>
    public static Key? KeyFor(string directory, LinuxSeccomp spec)
    {
        var exe = Environment.ProcessPath;
        var info = string.IsNullOrEmpty(exe) ? null : new FileInfo(exe);
        if (info is not { Exists: true })
        {
            return null;
        }
        var identity = $"\n{LibSeccomp.LibraryVersion}\n{RuntimeInformation.ProcessArchitecture}\n{exe}\n{info.Length}\n{info.LastWriteTimeUtc.Ticks}";
        byte[] key = [.. Store.RuntimeRecordJson.ToBytes(w => SpecJson.Write(w, spec)), .. Encoding.UTF8.GetBytes(identity)];
        // FNV-1a, 64 bits (http://www.isthe.com/chongo/tech/comp/fnv/): only the file name.
        var hash = 14695981039346656037UL;
        foreach (var b in key)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return new Key(Path.Combine(directory, hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + ".bpf"), key);
    }

    /// <summary>The entry for <paramref name="key"/>, or null when absent, unreadable or another key's.</summary>
    public static Entry? TryRead(Key key)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(key.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // Magic, i32 key length, the key, then u32 default action, i32 rule count, i32 length of
        // the unknown names (UTF-8, comma-separated), the names, then the BPF program (8-byte
        // sock_filter instructions).
        if (bytes.Length < Magic.Length + 4 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            return null;
        }
        var keyLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(Magic.Length));
        var start = Magic.Length + 4;
        if (keyLength != key.Identity.Length || bytes.Length < start + keyLength + 12 || !bytes.AsSpan(start, keyLength).SequenceEqual(key.Identity))
        {
            return null;
        }
        var span = bytes.AsSpan(start + keyLength);
        var header = start + keyLength + 12;
        var defaultAction = BinaryPrimitives.ReadUInt32LittleEndian(span);
        var rules = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        var namesLength = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        if (namesLength < 0 || header + namesLength > bytes.Length)
        {
            return null;
        }
        var names = Encoding.UTF8.GetString(bytes, header, namesLength);
        var bpf = bytes[(header + namesLength)..];
        if (bpf.Length == 0 || bpf.Length % 8 != 0 || bpf.Length / 8 > ushort.MaxValue)
        {
            return null;
        }
        return new Entry(bpf, defaultAction, rules, names.Length == 0 ? [] : names.Split(','));
    }

    /// <summary>Saves <paramref name="entry"/> at <paramref name="key"/>.Path; a failure only costs the next create a compile.</summary>
    public static void TryWrite(Key key, Entry entry)
    {
        var path = key.Path;
        var directory = Path.GetDirectoryName(path)!;
        var temporary = $"{path}.tmp-{Environment.ProcessId}";
        try
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var names = Encoding.UTF8.GetBytes(string.Join(',', entry.UnknownSyscalls));
            var bytes = new byte[Magic.Length + 4 + key.Identity.Length + 12 + names.Length + entry.Bpf.Length];
            Magic.CopyTo(bytes, 0);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(Magic.Length), key.Identity.Length);
            key.Identity.CopyTo(bytes, Magic.Length + 4);
            var span = bytes.AsSpan(Magic.Length + 4 + key.Identity.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(span, entry.DefaultAction);
            BinaryPrimitives.WriteInt32LittleEndian(span[4..], entry.RuleCount);
            BinaryPrimitives.WriteInt32LittleEndian(span[8..], names.Length);
            names.CopyTo(span[12..]);
            entry.Bpf.CopyTo(span[(12 + names.Length)..]);
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, path, overwrite: true);
            Trim(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RuntimeLog.Debug($"seccomp cache: not saved ({e.Message})");
        }
        finally
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not ours to remove (e.g. the init of a user namespace, which may not even list the directory).
            }
        }
    }

    /// <summary>seccomp(SECCOMP_SET_MODE_FILTER, 0, &amp;prog) with a saved program; returns 0 or -errno, as seccomp_load(3) does.</summary>
    public static unsafe int Install(byte[] bpf)
    {
        fixed (byte* filter = bpf)
        {
            // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            var program = stackalloc nint[2];
            program[0] = bpf.Length / 8;
            program[1] = (nint)filter;
            var rc = Libc.Syscall(Libc.SYS_seccomp, Libc.SECCOMP_SET_MODE_FILTER, 0, (long)program);
            return rc == 0 ? 0 : -Marshal.GetLastPInvokeError();
        }
    }

    private static void Trim(string directory)
    {
        var entries = new DirectoryInfo(directory).GetFiles("*.bpf");
        if (entries.Length <= MaxEntries)
        {
            return;
        }
        foreach (var old in entries.OrderBy(f => f.LastWriteTimeUtc).Take(entries.Length - MaxEntries))
        {
            old.Delete();
        }
    }
}
