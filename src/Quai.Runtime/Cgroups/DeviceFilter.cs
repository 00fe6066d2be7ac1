using Quai.Oci.Runtime;

namespace Quai.Runtime.Cgroups;

/// <summary>
/// Compiles OCI device rules into a BPF_PROG_TYPE_CGROUP_DEVICE program, the cgroup v2 device
/// controller (cgroup-v2.rst, "Device controller"). The program sees struct bpf_cgroup_dev_ctx
/// { u32 access_type = access &lt;&lt; 16 | type; u32 major; u32 minor; } and returns 1 to allow.
/// Rules are checked last to first and the first match decides, which is what applying them in
/// order to v1's devices.allow/deny yields; no match denies.
/// </summary>
internal static partial class DeviceFilter
{
    // include/uapi/linux/bpf.h: BPF_DEVCG_DEV_*, BPF_DEVCG_ACC_*.
    private const int DevBlock = 1;
    private const int DevChar = 2;
    private const int AccMknod = 1;
    private const int AccRead = 2;
    private const int AccWrite = 4;

    // Opcodes (Documentation/bpf/standardization/instruction-set.rst).
    internal const byte LdxMemW = 0x61;
    internal const byte Alu64AndK = 0x57;
    internal const byte Alu64RshK = 0x77;
    internal const byte Alu64MovK = 0xb7;
    internal const byte Alu64MovX = 0xbf;
    internal const byte JmpJeqK = 0x15;
    internal const byte JmpJneK = 0x55;
    internal const byte JmpJneX = 0x5d;
    internal const byte JmpExit = 0x95;

    /// <summary>The program for <paramref name="rules"/>, one 64-bit instruction per element.</summary>
    public static ulong[] Compile(IReadOnlyList<LinuxDeviceCgroup> rules)
    {
        var program = new List<ulong>
        {
            // r2 = type, r3 = access, r4 = major, r5 = minor (r1 is the context).
            Insn(LdxMemW, 2, 1, 0, 0),
            Insn(Alu64AndK, 2, 0, 0, 0xFFFF),
            Insn(LdxMemW, 3, 1, 0, 0),
            Insn(Alu64RshK, 3, 0, 0, 16),
            Insn(LdxMemW, 4, 1, 4, 0),
            Insn(LdxMemW, 5, 1, 8, 0),
        };
        for (var i = rules.Count - 1; i >= 0; i--)
        {
            var block = Block(rules[i]);
            program.AddRange(block);
            // A rule without conditions matches everything: what follows could never run, and
            // the verifier refuses unreachable instructions.
            if (block.Count == 2)
            {
                return [.. program];
            }
        }
        program.Add(Insn(Alu64MovK, 0, 0, 0, 0));
        program.Add(Insn(JmpExit, 0, 0, 0, 0));
        return [.. program];
    }

    /// <summary>One rule: jumps past itself on a mismatch, else returns allow or deny.</summary>
    private static List<ulong> Block(LinuxDeviceCgroup rule)
    {
        // Validates type and access the same way as the v1 text form.
        var text = DeviceRules.Format(rule);
        var type = text[0] switch
        {
            'b' => DevBlock,
            'c' => DevChar,
            _ => 0,
        };
        var accessText = text[(text.LastIndexOf(' ') + 1)..];
        var access = (accessText.Contains('r', StringComparison.Ordinal) ? AccRead : 0)
            | (accessText.Contains('w', StringComparison.Ordinal) ? AccWrite : 0)
            | (accessText.Contains('m', StringComparison.Ordinal) ? AccMknod : 0);
        const int all = AccRead | AccWrite | AccMknod;

        var insns = new List<(byte Code, int Dst, int Src, bool JumpsNext, int Imm)>();
        if (type != 0)
        {
            insns.Add((JmpJneK, 2, 0, true, type));
        }
        if (access != all)
        {
            insns.Add((Alu64MovX, 1, 3, false, 0));
            insns.Add((Alu64AndK, 1, 0, false, access));
            // An allow rule must cover every requested access; a deny rule matches when it
            // forbids any requested access (v1 removes those bits from the exception list).
            insns.Add(rule.Allow ? (JmpJneX, 1, 3, true, 0) : (JmpJeqK, 1, 0, true, 0));
        }
        if (rule.Major is { } major and >= 0)
        {
            insns.Add((JmpJneK, 4, 0, true, CheckedImm(major, "major")));
        }
        if (rule.Minor is { } minor and >= 0)
        {
            insns.Add((JmpJneK, 5, 0, true, CheckedImm(minor, "minor")));
        }
        insns.Add((Alu64MovK, 0, 0, false, rule.Allow ? 1 : 0));
        insns.Add((JmpExit, 0, 0, false, 0));
        var block = new List<ulong>(insns.Count);
        for (var i = 0; i < insns.Count; i++)
        {
            var (code, dst, src, jumpsNext, imm) = insns[i];
            // A jump offset counts instructions after the jump: to the first one of the next block.
            block.Add(Insn(code, (byte)dst, (byte)src, jumpsNext ? (short)(insns.Count - i - 1) : (short)0, imm));
        }
        return block;
    }

    private static int CheckedImm(long value, string what) =>
        value <= int.MaxValue ? (int)value : throw new CgroupException($"device {what} number {value} is out of range");

    /// <summary>struct bpf_insn: u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm (little-endian).</summary>
    internal static ulong Insn(byte code, byte dst, byte src, short off, int imm) =>
        code | ((ulong)(byte)(dst | (src << 4)) << 8) | ((ulong)(ushort)off << 16) | ((ulong)(uint)imm << 32);
}
