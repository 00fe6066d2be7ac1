namespace Quai.Cli.Parsing;

/// <summary>One flag of a command: its long name, optional one-letter shorthand, kind and help.</summary>
/// <param name="Name">Long name without dashes (`detach`).</param>
/// <param name="Short">Shorthand letter (`d`), or '\0' for none.</param>
/// <param name="Kind">Bool, String or List.</param>
/// <param name="Help">One-line help as docker prints it.</param>
/// <param name="ValueType">The type word shown in help (`string`, `list`, `int`...).</param>
/// <param name="Default">Default shown in help, or null.</param>
public sealed record Flag(string Name, char Short, FlagKind Kind, string Help, string ValueType = "", string? Default = null)
{
    /// <summary>A boolean switch.</summary>
    public static Flag Bool(string name, char shorthand, string help) => new(name, shorthand, FlagKind.Bool, help);

    /// <summary>A single-valued flag.</summary>
    public static Flag Str(string name, char shorthand, string help, string type = "string", string? def = null) =>
        new(name, shorthand, FlagKind.String, help, type, def);

    /// <summary>A repeatable flag.</summary>
    public static Flag List(string name, char shorthand, string help, string type = "list") =>
        new(name, shorthand, FlagKind.List, help, type);
}
