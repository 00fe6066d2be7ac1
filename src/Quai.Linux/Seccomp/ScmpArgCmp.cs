using System.Runtime.InteropServices;

namespace Quai.Linux.Seccomp;

/// <summary>struct scmp_arg_cmp (seccomp.h): one comparison on one syscall argument.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ScmpArgCmp
{
    /// <summary>The argument index, 0..5.</summary>
    public uint Arg;

    /// <summary>The comparison.</summary>
    public SeccompCompare Op;

    /// <summary>The value compared with (for MASKED_EQ: the mask).</summary>
    public ulong DatumA;

    /// <summary>The second value (for MASKED_EQ: the value the masked argument must equal).</summary>
    public ulong DatumB;
}
