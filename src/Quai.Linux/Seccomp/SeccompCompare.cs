namespace Quai.Linux.Seccomp;

/// <summary>enum scmp_compare (seccomp.h).</summary>
public enum SeccompCompare
{
    /// <summary>Not equal.</summary>
    NotEqual = 1,

    /// <summary>Less than.</summary>
    LessThan = 2,

    /// <summary>Less than or equal.</summary>
    LessOrEqual = 3,

    /// <summary>Equal.</summary>
    Equal = 4,

    /// <summary>Greater than or equal.</summary>
    GreaterOrEqual = 5,

    /// <summary>Greater than.</summary>
    GreaterThan = 6,

    /// <summary>(arg &amp; datum_a) == datum_b.</summary>
    MaskedEqual = 7,
}
