using Quai.Oci.Runtime;
using Quai.Runtime.Cgroups;

namespace Quai.Runtime.Tests.Cgroups;

/// <summary>The v2 device filter's code generation, run through a small interpreter of the eBPF subset it emits.</summary>
public class DeviceFilterTests
{
    private const int Block = 1;
    private const int Char = 2;
    private const int M = 1;
    private const int R = 2;
    private const int W = 4;

    /// <summary>Runs the program on struct bpf_cgroup_dev_ctx { access_type, major, minor }; true when it returns 1.</summary>
    private static bool Run(ulong[] program, int type, int access, uint major, uint minor)
    {
        var ctx = new uint[] { (uint)(access << 16 | type), major, minor };
        var reg = new ulong[11];
        for (var pc = 0; pc < program.Length; pc++)
        {
            var insn = program[pc];
            var code = (byte)insn;
            var dst = (int)(insn >> 8) & 0xF;
            var src = (int)(insn >> 12) & 0xF;
            var off = (short)(insn >> 16);
            var imm = (ulong)(long)(int)(insn >> 32);
            switch (code)
            {
                case DeviceFilter.LdxMemW:
                    Assert.Equal(1, src);
                    reg[dst] = ctx[off / 4];
                    break;
                case DeviceFilter.Alu64AndK: reg[dst] &= imm; break;
                case DeviceFilter.Alu64RshK: reg[dst] >>= (int)imm; break;
                case DeviceFilter.Alu64MovK: reg[dst] = imm; break;
                case DeviceFilter.Alu64MovX: reg[dst] = reg[src]; break;
                case DeviceFilter.JmpJeqK: pc += reg[dst] == imm ? off : 0; break;
                case DeviceFilter.JmpJneK: pc += reg[dst] != imm ? off : 0; break;
                case DeviceFilter.JmpJneX: pc += reg[dst] != reg[src] ? off : 0; break;
                case DeviceFilter.JmpExit: return reg[0] == 1;
                default: Assert.Fail($"unexpected opcode 0x{code:x2} at {pc}"); break;
            }
        }
        Assert.Fail("the program ran off its end");
        return false;
    }

    private static readonly List<LinuxDeviceCgroup> DockerLike =
    [
        new() { Allow = false, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
        new() { Allow = true, Type = "c", Major = 136, Access = "rw" },
        new() { Allow = true, Type = "b", Major = 8, Minor = 0, Access = "r" },
        new() { Allow = false, Type = "c", Major = 136, Minor = 2, Access = "w" },
    ];

    [Theory]
    [InlineData(Char, R | W, 1u, 3u, true)]
    [InlineData(Char, M, 1u, 3u, true)]
    [InlineData(Char, R, 1u, 5u, false)]
    [InlineData(Block, R, 1u, 3u, false)]
    [InlineData(Char, R | W, 136u, 7u, true)]
    [InlineData(Char, M, 136u, 7u, false)]
    [InlineData(Block, R, 8u, 0u, true)]
    [InlineData(Block, R | W, 8u, 0u, false)]
    [InlineData(Char, R, 136u, 2u, true)]
    [InlineData(Char, R | W, 136u, 2u, false)]
    [InlineData(Char, W, 136u, 2u, false)]
    public void Rules_apply_last_match_first_and_deny_by_default(int type, int access, uint major, uint minor, bool allowed) =>
        Assert.Equal(allowed, Run(DeviceFilter.Compile(DockerLike), type, access, major, minor));

    [Fact]
    public void No_rules_deny_everything_and_allow_all_allows_everything()
    {
        Assert.False(Run(DeviceFilter.Compile([]), Char, R, 1, 3));
        var all = DeviceFilter.Compile([new LinuxDeviceCgroup { Allow = true }]);
        Assert.True(Run(all, Block, R | W | M, 259, 1));
        Assert.True(Run(all, Char, M, 4, 64));
    }

    [Fact]
    public void Allow_all_then_deny_one_denies_only_it()
    {
        var program = DeviceFilter.Compile([new LinuxDeviceCgroup { Allow = true }, new LinuxDeviceCgroup { Allow = false, Type = "c", Major = 10, Minor = 200 }]);
        Assert.False(Run(program, Char, R, 10, 200));
        Assert.True(Run(program, Char, R, 10, 201));
    }

    [Fact]
    public void Encodes_struct_bpf_insn_little_endian()
    {
        // jne r4, 136, +3
        Assert.Equal(0x0000_0088_0003_0455UL, DeviceFilter.Insn(DeviceFilter.JmpJneK, 4, 0, 3, 136));
        // mov64 r1, r3
        Assert.Equal(0x0000_0000_0000_31bfUL, DeviceFilter.Insn(DeviceFilter.Alu64MovX, 1, 3, 0, 0));
    }

    [Fact]
    public void A_catch_all_rule_ends_the_program_so_nothing_is_unreachable()
    {
        // The kernel verifier rejects unreachable instructions: after the (reversed) leading
        // deny-all, neither earlier rules nor the default exit may be emitted.
        var program = DeviceFilter.Compile(DockerLike);
        Assert.Equal(DeviceFilter.Insn(DeviceFilter.Alu64MovK, 0, 0, 0, 0), program[^2]);
        Assert.Equal(DeviceFilter.Insn(DeviceFilter.JmpExit, 0, 0, 0, 0), program[^1]);
        var withoutCatchAll = DeviceFilter.Compile(DockerLike.Skip(1).ToList());
        // The catch-all deny takes the place of the default deny.
        Assert.Equal(withoutCatchAll, program);
        Assert.Equal(6 + 2, DeviceFilter.Compile([new LinuxDeviceCgroup { Allow = true }, new LinuxDeviceCgroup { Allow = false }]).Length);
    }
}
