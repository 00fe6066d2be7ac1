using Quai.Engine;
using Quai.Engine.Containers;
using Quai.Testing;

namespace Quai.Api.Tests.Engine;

public sealed class ContainerStoreTests
{
    [Fact]
    public void A_reserved_name_is_taken_until_its_create_adds_or_releases_it()
    {
        using var dir = new TempDir("quai-store");
        var store = new ContainerStore(dir.Path);
        var first = new string('a', 64);
        var second = new string('b', 64);

        Assert.True(store.TryReserveName("brave_turing", first));
        Assert.False(store.TryReserveName("brave_turing", second));
        Assert.True(store.NameTaken("brave_turing"));
        Assert.Equal(first, store.ReservedBy("brave_turing"));
        var e = Assert.Throws<EngineException>(() => store.Add(new ContainerRecord { Id = second, Name = "brave_turing" }));
        Assert.Equal(EngineErrorKind.Conflict, e.Kind);

        store.Add(new ContainerRecord { Id = first, Name = "brave_turing" });
        store.ReleaseName("brave_turing", first); // the create's finally: a no-op once added
        Assert.Equal(first, store.Find("brave_turing")!.Id);
        Assert.Null(store.ReservedBy("brave_turing"));

        Assert.True(store.TryReserveName("calm_knuth", second));
        store.ReleaseName("calm_knuth", second); // a failed create
        Assert.False(store.NameTaken("calm_knuth"));
    }

    [Fact]
    public void Parallel_generated_names_never_collide()
    {
        using var dir = new TempDir("quai-store");
        var store = new ContainerStore(dir.Path);
        var names = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 400, i =>
        {
            var id = i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);
            names.Add(NameGenerator.Next(n => !store.TryReserveName(n, id)));
        });
        Assert.Equal(400, names.Distinct().Count());
    }
}
