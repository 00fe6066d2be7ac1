using System.Diagnostics;

namespace Quai.E2E.Tests.Infra;

/// <summary>The test image: Debian's busybox-static rootfs with root, nobody and www (uid 33), imported as busybox:latest.</summary>
public static class Images
{
    private static readonly Lazy<string> Tar = new(MakeTar, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly string Work = Path.Combine(Path.GetTempPath(), "qe-image-" + Environment.ProcessId);

    /// <summary>Where the rootfs and its tar are made.</summary>
    public static string WorkDir => Work;

    /// <summary>A tar of the busybox root filesystem (made once per test run).</summary>
    public static string RootfsTar => Tar.Value;

    /// <summary>`docker import`s the rootfs as <paramref name="reference"/> with the given --change lines.</summary>
    public static async Task ImportAsync(Daemon daemon, string reference, params string[] changes)
    {
        var args = new List<string> { "import" };
        foreach (var c in changes)
        {
            args.Add("-c");
            args.Add(c);
        }
        args.Add(RootfsTar);
        args.Add(reference);
        (await daemon.DockerAsync(args)).Ok();
    }

    /// <summary>Removes the temporary rootfs and tar.</summary>
    public static void CleanUp()
    {
        if (Directory.Exists(Work))
        {
            Directory.Delete(Work, recursive: true);
        }
    }

    private static string MakeTar()
    {
        var rootfs = Path.Combine(Work, "rootfs");
        Quai.Testing.Busybox.CreateRootfs(rootfs);
        File.WriteAllText(Path.Combine(rootfs, "etc", "passwd"),
            "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www:/var/www:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        File.WriteAllText(Path.Combine(rootfs, "etc", "group"), "root:x:0:\nwww:x:33:\nnogroup:x:65534:\n");
        var tar = Path.Combine(Work, "busybox.tar");
        using var p = Process.Start("tar", ["-C", rootfs, "-cf", tar, "."]);
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"tar of {rootfs} failed with {p.ExitCode}");
        }
        return tar;
    }
}
