namespace Quai.Runtime.Cli.Verbs;

/// <summary>`delete [--force] ID`.</summary>
public static class DeleteVerb
{
    public static readonly Verb Definition = new("delete", "[--force] <container-id>", "delete a container and everything the runtime holds for it", [new("force", 'f')], 1, 1, (c, a) =>
    {
        c.Service.Delete(a.Positionals[0], a.Has("force"));
        return 0;
    });
}
