using Quai.Oci.Runtime;
using Quai.Runtime.Security;
using Quai.Testing;

namespace Quai.Runtime.Tests.Security;

/// <summary>The compiled-filter cache: what is saved reads back, and only under its own key.</summary>
public sealed class SeccompCacheTests
{
    private static LinuxSeccomp Profile(string denied) => new()
    {
        DefaultAction = "SCMP_ACT_ALLOW",
        Syscalls = [new LinuxSyscall { Names = [denied], Action = "SCMP_ACT_ERRNO", ErrnoRet = 1 }],
    };

    // The test host (dotnet) is a named binary, so there is always a key.
    private static SeccompCache.Key KeyOf(string directory, LinuxSeccomp profile) =>
        SeccompCache.KeyFor(directory, profile) ?? throw new InvalidOperationException("no cache key: Environment.ProcessPath is unknown");

    [Fact]
    public void A_saved_entry_reads_back_under_its_key()
    {
        using var dir = new TempDir("quai-seccache");
        var key = KeyOf(dir.Path, Profile("mkdir"));
        var entry = new SeccompCache.Entry([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], 0x7fff0000, 1, ["no_such_call"]);
        SeccompCache.TryWrite(key, entry);

        var hit = SeccompCache.TryRead(KeyOf(dir.Path, Profile("mkdir")));
        Assert.NotNull(hit);
        Assert.Equal(entry.Bpf, hit.Bpf);
        Assert.Equal(entry.DefaultAction, hit.DefaultAction);
        Assert.Equal(entry.RuleCount, hit.RuleCount);
        Assert.Equal(["no_such_call"], hit.UnknownSyscalls);
    }

    [Fact]
    public void Another_profile_whose_name_collides_reads_as_a_miss()
    {
        // The file name is a 64-bit non-cryptographic hash; the key inside the file is what decides.
        using var dir = new TempDir("quai-seccache");
        var saved = KeyOf(dir.Path, Profile("mkdir"));
        SeccompCache.TryWrite(saved, new SeccompCache.Entry(new byte[16], 0x7fff0000, 1, []));
        var other = KeyOf(dir.Path, Profile("rmdir"));
        Assert.NotEqual(saved.Identity, other.Identity);

        var colliding = new SeccompCache.Key(saved.Path, other.Identity);
        Assert.Null(SeccompCache.TryRead(colliding));
        Assert.NotNull(SeccompCache.TryRead(saved));
    }

    [Fact]
    public void A_damaged_entry_reads_as_a_miss()
    {
        using var dir = new TempDir("quai-seccache");
        var key = KeyOf(dir.Path, Profile("mkdir"));
        SeccompCache.TryWrite(key, new SeccompCache.Entry(new byte[16], 0x7fff0000, 1, []));
        var bytes = File.ReadAllBytes(key.Path);
        File.WriteAllBytes(key.Path, bytes[..^3]);
        Assert.Null(SeccompCache.TryRead(key));
    }

    [Fact]
    public void A_second_compile_of_the_same_profile_is_served_from_the_cache()
    {
        using var dir = new TempDir("quai-seccache");
        var profile = Profile("mkdir");
        using var first = SeccompProgram.Compile(profile, cacheDirectory: dir.Path);
        var files = Directory.GetFiles(dir.Path, "*.bpf");
        Assert.Single(files);
        var written = File.GetLastWriteTimeUtc(files[0]);
        using var second = SeccompProgram.Compile(profile, cacheDirectory: dir.Path);
        Assert.Equal(written, File.GetLastWriteTimeUtc(files[0]));
        Assert.Equal(first.RuleCount, second.RuleCount);
    }
}
