using Quai.E2E.Tests.Infra;
using Quai.Testing;

namespace Quai.E2E.Tests;

/// <summary>diff, cp both ways, export, commit.</summary>
public sealed class FilesTests
{
    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Diff_shows_added_changed_and_deleted_paths(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var name = Daemon.Name("diff");
        (await d.D("run", "--name", name, "busybox", "sh", "-c", "touch /tmp/new && rm /etc/group")).Ok();
        try
        {
            // Exactly these: the mount points the runtime binds (/etc/hostname, /etc/hosts,
            // /etc/resolv.conf) are in the init layer under the container's own layer, not in it.
            // (dockerd lists them in no particular order; quaid by path.)
            var lines = (await d.D("diff", name)).Ok().Lines;
            Assert.Equal(["A /tmp/new", "C /etc", "C /tmp", "D /etc/group"], lines.Order(StringComparer.Ordinal));
        }
        finally
        {
            await d.D("rm", "-f", name);
        }
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Cp_copies_files_and_directories_both_ways_and_into_a_volume(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        using var host = new TempDir("qe-cp");
        File.WriteAllText(host.Combine("a.txt"), "alpha");
        Directory.CreateDirectory(host.Combine("dir", "sub"));
        File.WriteAllText(host.Combine("dir", "sub", "b.txt"), "beta");
        var name = Daemon.Name("cp");
        var vol = Daemon.Name("cpvol");
        await d.Ok("run", "-d", "--name", name, "-v", vol + ":/data", "busybox", "sh", "-c", "mkdir -p /made/deep && echo gamma > /made/deep/c.txt && sleep 1000");
        try
        {
            (await d.D("cp", host.Combine("a.txt"), name + ":/tmp/a.txt")).Ok();
            (await d.D("cp", host.Combine("dir"), name + ":/tmp/")).Ok();
            (await d.D("cp", host.Combine("a.txt"), name + ":/data/")).Ok();
            Assert.Equal("alpha beta", await d.Ok("exec", name, "sh", "-c", "echo $(cat /tmp/a.txt) $(cat /tmp/dir/sub/b.txt)"));
            await Poll.UntilAsync(async () => (await d.D("exec", name, "test", "-f", "/made/deep/c.txt")).ExitCode == 0 ? null : "not made yet");
            (await d.D("cp", name + ":/made", host.Combine("out"))).Ok();
            Assert.Equal("gamma\n", File.ReadAllText(host.Combine("out", "deep", "c.txt")));
            (await d.D("cp", name + ":/etc/passwd", host.Combine("passwd"))).Ok();
            Assert.Contains("www:x:33:33", File.ReadAllText(host.Combine("passwd")), StringComparison.Ordinal);
            var missing = await d.D("cp", name + ":/no/such/file", host.Combine("x"));
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains("Could not find the file /no/such/file", missing.Stderr, StringComparison.Ordinal);
            (await d.D("rm", "-f", name)).Ok();
            Assert.Equal("alpha", await d.Ok("run", "--rm", "-v", vol + ":/v", "busybox", "cat", "/v/a.txt"));
        }
        finally
        {
            await d.D("rm", "-f", name);
            await d.D("volume", "rm", vol);
        }
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Cp_at_the_root_follows_the_containers_volumes_and_binds_both_ways(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        using var host = new TempDir("qe-cproot");
        Directory.CreateDirectory(host.Combine("src", "data", "in"));
        Directory.CreateDirectory(host.Combine("src", "opt"));
        File.WriteAllText(host.Combine("src", "data", "in", "v.txt"), "to the volume");
        File.WriteAllText(host.Combine("src", "opt", "b.txt"), "to the bind");
        File.WriteAllText(host.Combine("src", "top.txt"), "to the rootfs");
        Directory.CreateDirectory(host.Combine("bind"));
        var name = Daemon.Name("cproot");
        var vol = Daemon.Name("cprootvol");
        await d.Ok("run", "-d", "--name", name, "-v", vol + ":/data", "-v", host.Combine("bind") + ":/opt",
            "busybox", "sh", "-c", "echo seen > /data/from-inside && sleep 1000");
        try
        {
            await Poll.UntilAsync(async () => (await d.D("exec", name, "test", "-f", "/data/from-inside")).ExitCode == 0 ? null : "not written yet");
            // Everything at "/": each entry lands where the container sees its path.
            (await d.D("cp", host.Combine("src") + "/.", name + ":/")).Ok();
            Assert.Equal("to the volume|to the bind|to the rootfs", await d.Ok("exec", name, "sh", "-c", "echo \"$(cat /data/in/v.txt)|$(cat /opt/b.txt)|$(cat /top.txt)\""));
            Assert.Equal("to the bind", File.ReadAllText(host.Combine("bind", "b.txt")));
            (await d.D("rm", "-f", name)).Ok();
            Assert.Equal("to the volume", await d.Ok("run", "--rm", "-v", vol + ":/v", "busybox", "cat", "/v/in/v.txt"));

            // And back: a copy of "/" (here of /data, /opt through the parent) reads the mounts.
            await d.Ok("run", "-d", "--name", name, "-v", vol + ":/data", "-v", host.Combine("bind") + ":/opt", "busybox", "sleep", "1000");
            await Poll.UntilAsync(async () => (await d.D("exec", name, "true")).ExitCode == 0 ? null : "not running yet");
            (await d.D("cp", name + ":/data", host.Combine("back"))).Ok();
            Assert.Equal("to the volume", File.ReadAllText(host.Combine("back", "in", "v.txt")));
            Assert.Equal("seen\n", File.ReadAllText(host.Combine("back", "from-inside")));
            var whole = await d.D("cp", name + ":/", host.Combine("root"));
            whole.Ok();
            Assert.Equal("to the volume", File.ReadAllText(host.Combine("root", "data", "in", "v.txt")));
            Assert.Equal("to the bind", File.ReadAllText(host.Combine("root", "opt", "b.txt")));
        }
        finally
        {
            await d.D("rm", "-f", name);
            await d.D("volume", "rm", vol);
        }
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Cp_into_a_read_only_mount_and_a_malformed_archive_are_client_errors(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        using var host = new TempDir("qe-cpbad");
        Directory.CreateDirectory(host.Combine("robind"));
        Directory.CreateDirectory(host.Combine("src", "ro"));
        File.WriteAllText(host.Combine("src", "ro", "x.txt"), "x");
        var name = Daemon.Name("cpbad");
        await d.Ok("run", "-d", "--name", name, "-v", host.Combine("robind") + ":/ro:ro", "busybox", "sleep", "1000");
        try
        {
            var ro = await d.D("cp", host.Combine("src") + "/.", name + ":/");
            Assert.NotEqual(0, ro.ExitCode);
            Assert.Contains("read-only", ro.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(host.Combine("robind", "x.txt")));

            using var http = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                    await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(d.Socket), ct);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                },
            });
            var garbage = new ByteArrayContent([.. Enumerable.Repeat((byte)'x', 2048)]);
            garbage.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
            using var response = await http.PutAsync(new Uri($"http://docker/v1.41/containers/{name}/archive?path=/tmp"), garbage);
            // dockerd 20.10 answers 500 here; quaid 400 (the client's archive is at fault). Either
            // way an error that says so, and the container is unharmed.
            Assert.Contains((int)response.StatusCode, new[] { 400, 500 });
            Assert.Contains("tar", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
            Assert.Equal("running", await d.Ok("inspect", "-f", "{{.State.Status}}", name));
        }
        finally
        {
            await d.D("rm", "-f", name);
        }
    }

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Export_is_a_tar_of_the_filesystem_and_commit_makes_a_runnable_image(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        var name = Daemon.Name("commit");
        var image = Daemon.Name("committed") + ":v1";
        (await d.D("run", "--name", name, "busybox", "sh", "-c", "echo committed > /hello.txt")).Ok();
        try
        {
            var listing = await d.ShAsync($"docker export {name} | tar t");
            Assert.Equal(0, listing.ExitCode);
            var entries = listing.Lines.Select(l => l.StartsWith("./", StringComparison.Ordinal) ? l[2..] : l.TrimStart('/')).ToHashSet();
            Assert.Contains("bin/busybox", entries);
            Assert.Contains("hello.txt", entries);
            Assert.Contains("etc/passwd", entries);
            // The init layer's entries are part of the container's filesystem.
            Assert.Contains(".dockerenv", entries);
            Assert.Contains("etc/hostname", entries);

            var id = await d.Ok("commit", "--change", "CMD [\"cat\", \"/hello.txt\"]", name, image);
            Assert.Matches("^sha256:[0-9a-f]{64}$", id);
            Assert.Equal("committed", await d.Ok("run", "--rm", image));
            // The committed layer is what the container wrote, nothing of the init layer.
            using var saved = new TempDir("qe-commit");
            (await d.ShAsync($"docker save {image} | tar -x -C {saved.Path}")).Ok();
            using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(saved.Combine("manifest.json")));
            var top = manifest.RootElement[0].GetProperty("Layers").EnumerateArray().Last().GetString()!;
            // tar finds the compression itself in a file (dockerd saves plain tars, quaid gzip).
            var layer = await d.ShAsync($"tar -tf {saved.Combine(top)}");
            Assert.Equal(["hello.txt"], layer.Ok().Lines.Select(l => l.StartsWith("./", StringComparison.Ordinal) ? l[2..] : l).Where(l => l.Length > 0));
            Assert.Equal("[\"cat\",\"/hello.txt\"]", await d.Ok("image", "inspect", "-f", "{{json .Config.Cmd}}", image));
        }
        finally
        {
            await d.D("rm", "-f", name);
            await d.D("rmi", image);
        }
    }
}
