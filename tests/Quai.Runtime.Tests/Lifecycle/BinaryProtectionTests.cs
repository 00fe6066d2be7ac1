using System.Security.Cryptography;

namespace Quai.Runtime.Tests.Lifecycle;

/// <summary>
/// CVE-2019-5736: the container must not be able to overwrite the runtime binary that its init
/// runs, neither while the init is the runtime nor through an fd opened then and reopened for
/// writing after the init exec'd the user's program (root, real kernel).
/// </summary>
public class BinaryProtectionTests
{
    [Fact]
    public async Task An_fd_to_the_inits_binary_cannot_be_reopened_for_writing_after_exec()
    {
        using var c = new TestContainer(s =>
        {
            s.Process!.Args = ["sleep", "120"];
            s.Root!.Readonly = false;
        });
        // A private copy of the binary: while any process executes an inode the kernel refuses a
        // write open with ETXTBSY before it looks at the mount's read-only flag, and the tests
        // running beside this one execute the shared quai-runtime all the time. With its own
        // copy, once the init has exec'd `sleep` nothing executes it and only the read-only
        // bind can refuse the write.
        var binary = Path.Combine(c.Scratch, "quai-runtime");
        File.Copy(RuntimeBinary.Path, binary);
        File.SetUnixFileMode(binary, File.GetUnixFileMode(RuntimeBinary.Path));
        var before = Hash(binary);
        var (code, _, err) = c.RuntimeAt(binary, "create", "--bundle", c.Bundle, c.Id);
        Assert.True(code == 0, err);

        // While the init is still the runtime: writing is refused (ETXTBSY or EROFS).
        var (_, outNow, errNow) = c.RuntimeAt(binary, "exec", c.Id, "sh", "-c", "echo x >> /proc/1/exe && echo WROTE");
        Assert.DoesNotContain("WROTE", outNow, StringComparison.Ordinal);
        Assert.Contains("/proc/1/exe", errNow + outNow, StringComparison.Ordinal);

        // Hold an fd to the init's binary across start, then reopen it for writing once the init
        // has exec'd `sleep` and the binary is no longer busy: the CVE's pattern. "Text file busy"
        // only says that some runtime process (this exec's own helpers, on a loaded machine) still
        // executes the copy (the init itself until `start` reaches it; on a loaded 2-core CI
        // machine the copy was once still busy after 10 s of retries): the attacker retries for
        // up to a minute, as a real one would, and what finally refuses the write must be the
        // read-only bind.
        Assert.Equal(0, c.RuntimeAt(binary, "exec", "-d", c.Id, "sh", "-c",
            "exec 7</proc/1/exe; sleep 1; i=0; while [ $i -lt 600 ]; do " +
            "out=$( (echo y >> /proc/self/fd/7 && echo WROTE) 2>&1 ); " +
            "case \"$out\" in *'Text file busy'*) i=$((i+1)); sleep 0.1 ;; *) break ;; esac; done; " +
            "echo \"$out (after $i retries)\" > /tmp/attack").Code);
        Assert.Equal(0, c.RuntimeAt(binary, "start", c.Id).Code);
        var report = c.RootfsPath("/tmp/attack");
        for (var i = 0; i < 900 && (!File.Exists(report) || new FileInfo(report).Length == 0); i++)
        {
            await Task.Delay(100);
        }
        var attack = File.ReadAllText(report);
        Assert.DoesNotContain("WROTE", attack, StringComparison.Ordinal);
        // EROFS from the read-only bind (ReadOnlySelf), EPERM from a sealed memfd copy.
        Assert.Matches("Read-only file system|Operation not permitted", attack);
        Assert.Equal(before, Hash(binary));
    }

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
