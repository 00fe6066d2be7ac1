using System.Formats.Tar;
using System.Text;
using Docker.DotNet.Models;
using Quai.E2E.Tests.Infra;

namespace Quai.Clients.Tests;

/// <summary>PUT and GET /containers/{id}/archive through Docker.DotNet 3.125.</summary>
public sealed class FilesTests
{
    private static readonly string LongName = new string('n', 120) + ".txt";

    [Theory, MemberData(nameof(Daemons.Kinds), MemberType = typeof(Daemons))]
    public async Task Archive_in_with_absolute_names_and_out(string kind)
    {
        var d = await Daemons.GetAsync(kind);
        using var client = DockerClients.For(d);
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = Daemon.Name("dn-files"),
            Image = "busybox:latest",
            Cmd = ["sleep", "1000"],
        });
        try
        {
            // Absolute entry names, as Testcontainers writes them: moby joins them to path.
            using var tar = new MemoryStream();
            using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "/srv/") { Mode = (UnixFileMode)0x1ed });
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "/srv/hello.txt")
                {
                    Mode = (UnixFileMode)0x1a4,
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes("absolute-name\n")),
                });
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "relative.txt")
                {
                    Mode = (UnixFileMode)0x1a4,
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes("relative-name\n")),
                });
                // ustar (name in the header itself) and GNU with a long name ('L' entry before it).
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "/srv/ustar.txt")
                {
                    Mode = (UnixFileMode)0x1a4,
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes("ustar\n")),
                });
                writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "/srv/" + LongName)
                {
                    Mode = (UnixFileMode)0x1a4,
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes("gnu\n")),
                });
            }
            tar.Position = 0;
            await client.Containers.ExtractArchiveToContainerAsync(created.ID, new ContainerPathStatParameters { Path = "/tmp" }, tar);

            var archive = await client.Containers.GetArchiveFromContainerAsync(created.ID, new GetArchiveFromContainerParameters { Path = "/tmp/srv/hello.txt" }, statOnly: false);
            using (archive.Stream)
            {
                Assert.Equal("hello.txt", archive.Stat.Name);
                Assert.Equal(14, archive.Stat.Size);
                using var reader = new TarReader(archive.Stream);
                var entry = await reader.GetNextEntryAsync(copyData: true);
                Assert.NotNull(entry);
                Assert.Equal("hello.txt", entry.Name);
                using var text = new StreamReader(entry.DataStream!);
                Assert.Equal("absolute-name\n", await text.ReadToEndAsync());
            }
            foreach (var (path, size) in new[] { ("/tmp/relative.txt", 14L), ("/tmp/srv/ustar.txt", 6L), ("/tmp/srv/" + LongName, 4L) })
            {
                var stat = await client.Containers.GetArchiveFromContainerAsync(created.ID, new GetArchiveFromContainerParameters { Path = path }, statOnly: true);
                Assert.Equal(size, stat.Stat.Size);
            }
        }
        finally
        {
            await client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
        }
    }
}
