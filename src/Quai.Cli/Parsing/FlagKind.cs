namespace Quai.Cli.Parsing;

/// <summary>How a flag takes its value (pflag's value types, reduced to what docker's verbs use).</summary>
public enum FlagKind
{
    /// <summary>A switch: present means true; `--flag=false` turns it off.</summary>
    Bool,

    /// <summary>One value; the last occurrence wins.</summary>
    String,

    /// <summary>Repeatable; every occurrence is kept in order (docker's stringArray/list opts).</summary>
    List,
}
