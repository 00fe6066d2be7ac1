namespace Quai.Registry.Auth;

/// <summary>
/// One resource scope, "repository:team/app:pull,push" (token.md#requesting-a-token): what a client
/// asks for and what a token grants.
/// </summary>
/// <param name="Type">"repository" or "registry".</param>
/// <param name="Name">The repository name, or "catalog".</param>
/// <param name="Actions">"pull", "push", "delete", "*".</param>
public sealed record AccessEntry(string Type, string Name, IReadOnlyList<string> Actions)
{
    /// <summary>Parses "type:name:action,action" (the name may itself hold a port's colon: the last colon splits the actions).</summary>
    public static AccessEntry? Parse(string scope)
    {
        var first = scope.IndexOf(':', StringComparison.Ordinal);
        var last = scope.LastIndexOf(':');
        if (first <= 0 || last <= first)
        {
            return null;
        }
        return new AccessEntry(scope[..first], scope[(first + 1)..last], scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>True when this entry grants <paramref name="action"/> on <paramref name="type"/>:<paramref name="name"/>.</summary>
    public bool Grants(string type, string name, string action) =>
        Type == type && Name == name && (Actions.Contains(action) || Actions.Contains("*"));

    /// <summary>The scope string form.</summary>
    public override string ToString() => $"{Type}:{Name}:{string.Join(',', Actions)}";
}
