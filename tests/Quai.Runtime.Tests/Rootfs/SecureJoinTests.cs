using Quai.Linux;
using Quai.Runtime.Rootfs;
using Quai.Testing;

namespace Quai.Runtime.Tests.Rootfs;

public sealed class SecureJoinTests : IDisposable
{
    private readonly TempDir _dir = new("quai-securejoin");

    private string Root => _dir.Path;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_plain_path_is_joined()
    {
        Assert.Equal(Root + "/etc/passwd", SecureJoin.Resolve(Root, "/etc/passwd"));
        Assert.Equal(Root + "/etc/passwd", SecureJoin.Resolve(Root, "etc//./passwd"));
        Assert.Equal(Root, SecureJoin.Resolve(Root, "/"));
    }

    [Fact]
    public void Dot_dot_cannot_climb_above_the_root()
    {
        Assert.Equal(Root + "/etc", SecureJoin.Resolve(Root, "/../../../etc"));
        Assert.Equal(Root + "/b", SecureJoin.Resolve(Root, "a/../../b"));
    }

    [Fact]
    public void An_absolute_symlink_is_re_rooted()
    {
        Directory.CreateDirectory(_dir.Combine("target"));
        File.CreateSymbolicLink(_dir.Combine("link"), "/etc");
        Assert.Equal(Root + "/etc/mnt", SecureJoin.Resolve(Root, "/link/mnt"));
    }

    [Fact]
    public void A_relative_symlink_with_dot_dot_chains_stays_inside()
    {
        Directory.CreateDirectory(_dir.Combine("a", "b"));
        File.CreateSymbolicLink(_dir.Combine("a", "b", "up"), "../../../../../../tmp");
        Assert.Equal(Root + "/tmp/x", SecureJoin.Resolve(Root, "/a/b/up/x"));
    }

    [Fact]
    public void Symlinks_to_symlinks_are_followed()
    {
        Directory.CreateDirectory(_dir.Combine("real"));
        File.CreateSymbolicLink(_dir.Combine("one"), "two");
        File.CreateSymbolicLink(_dir.Combine("two"), "/real");
        Assert.Equal(Root + "/real/file", SecureJoin.Resolve(Root, "one/file"));
    }

    [Fact]
    public void A_symlink_as_the_last_component_is_resolved()
    {
        Directory.CreateDirectory(_dir.Combine("var", "run"));
        File.CreateSymbolicLink(_dir.Combine("run"), "/var/run");
        Assert.Equal(Root + "/var/run", SecureJoin.Resolve(Root, "/run"));
    }

    [Fact]
    public void A_symlink_loop_fails_with_ELOOP()
    {
        File.CreateSymbolicLink(_dir.Combine("loop1"), "loop2");
        File.CreateSymbolicLink(_dir.Combine("loop2"), "/loop1");
        var e = Assert.Throws<LinuxException>(() => SecureJoin.Resolve(Root, "/loop1/x"));
        Assert.Equal(Errnos.ELOOP, e.Errno);
        Assert.Contains("/loop1/x", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_through_a_regular_file_is_joined_as_it_is()
    {
        File.WriteAllText(_dir.Combine("file"), "x");
        Assert.Equal(Root + "/file/below", SecureJoin.Resolve(Root, "/file/below"));
    }

    [Fact]
    public void Missing_components_are_appended_after_the_resolved_prefix()
    {
        File.CreateSymbolicLink(_dir.Combine("data"), "/srv/data");
        Assert.Equal(Root + "/srv/data/new/dir", SecureJoin.Resolve(Root, "/data/new/dir"));
    }

    [Fact]
    public void A_root_given_with_a_trailing_slash_gives_the_same_result()
    {
        Assert.Equal(Root + "/x", SecureJoin.Resolve(Root + "/", "/x"));
    }
}
