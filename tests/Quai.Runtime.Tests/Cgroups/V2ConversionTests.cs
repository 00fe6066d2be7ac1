using Microsoft.Extensions.Logging.Abstractions;
using Quai.Oci.Runtime;
using Quai.Runtime.Cgroups;

namespace Quai.Runtime.Tests.Cgroups;

public class V2ConversionTests
{
    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(1UL, 1UL)]
    [InlineData(2UL, 1UL)]
    [InlineData(1024UL, 39UL)]
    [InlineData(512UL, 20UL)]
    [InlineData(262144UL, 10000UL)]
    [InlineData(1000000UL, 10000UL)]
    public void Cpu_shares_convert_to_weight_as_runc(ulong shares, ulong weight) =>
        Assert.Equal(weight, V2Resources.CpuSharesToWeight(shares));

    [Theory]
    [InlineData(50000L, 100000UL, "50000 100000")]
    [InlineData(-1L, 100000UL, "max 100000")]
    [InlineData(0L, 250000UL, "max 250000")]
    [InlineData(20000L, null, "20000")]
    [InlineData(-1L, null, "max")]
    [InlineData(null, null, null)]
    [InlineData(0L, 0UL, null)]
    public void Cpu_max_from_quota_and_period(long? quota, ulong? period, string? expected) =>
        Assert.Equal(expected, V2Resources.CpuMax(quota, period));

    [Theory]
    [InlineData(2147483648L, 1073741824L, 1073741824L)]
    [InlineData(1073741824L, 1073741824L, 0L)]
    [InlineData(-1L, 1073741824L, -1L)]
    [InlineData(null, -1L, -1L)]
    [InlineData(-1L, -1L, -1L)]
    [InlineData(null, 1073741824L, null)]
    [InlineData(null, null, null)]
    public void Swap_is_memory_plus_swap_minus_memory(long? swap, long? limit, long? expected) =>
        Assert.Equal(expected, V2Resources.SwapMax(swap, limit));

    [Theory]
    [InlineData(536870912L, 1073741824L)]
    [InlineData(1073741824L, null)]
    [InlineData(1073741824L, -1L)]
    public void Swap_below_memory_or_without_memory_is_refused(long swap, long? limit) =>
        Assert.Throws<CgroupException>(() => V2Resources.SwapMax(swap, limit));

    [Theory]
    [InlineData(100L, "100")]
    [InlineData(1L, "1")]
    [InlineData(0L, "max")]
    [InlineData(-1L, "max")]
    public void Pids_max(long limit, string expected) => Assert.Equal(expected, V2Resources.PidsMax(limit));

    [Theory]
    [InlineData(10, 1UL)]
    [InlineData(500, 4950UL)]
    [InlineData(1000, 10000UL)]
    [InlineData(1, 1UL)]
    public void Blkio_weight_converts_to_io_weight(ushort blkio, ulong io) =>
        Assert.Equal(io, V2Resources.BlkioWeightToIoWeight(blkio));

    [Fact]
    public void Io_max_lines_one_per_device_and_key()
    {
        Assert.Equal("8:0 rbps=1048576", V2Resources.IoMaxLine(new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 1048576 }, "rbps"));
        Assert.Equal("253:16 wiops=max", V2Resources.IoMaxLine(new LinuxThrottleDevice { Major = 253, Minor = 16, Rate = 0 }, "wiops"));
    }

    [Fact]
    public void Full_resources_become_ordered_writes()
    {
        var r = new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 268435456, Swap = 536870912, Reservation = 134217728 },
            Cpu = new LinuxCpu { Shares = 1024, Quota = 50000, Period = 100000, Burst = 1000, Idle = 0, Cpus = "0-1", Mems = "0" },
            Pids = new LinuxPids { Limit = 64 },
            BlockIo = new LinuxBlockIo
            {
                Weight = 500,
                WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 0, Weight = 100 }],
                ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 1000 }],
                ThrottleWriteBpsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 2000 }],
                ThrottleReadIopsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 30 }],
                ThrottleWriteIopsDevice = [new LinuxThrottleDevice { Major = 8, Minor = 0, Rate = 40 }],
            },
            HugepageLimits = [new LinuxHugepageLimit { PageSize = "2MB", Limit = 4194304 }],
            Rdma = new() { ["mlx5_1"] = new LinuxRdma { HcaHandles = 3 } },
            Unified = new() { ["memory.high"] = "200000000", ["cgroup.max.depth"] = "5" },
        };
        var writes = V2Resources.Convert(r, f => f == "memory.swap.max", NullLogger.Instance);
        Assert.Equal(
            [
                "memory memory.swap.max=268435456",
                "memory memory.max=268435456",
                "memory memory.low=134217728",
                "cpu cpu.weight=39",
                "cpu cpu.max=50000 100000",
                "cpu cpu.max.burst=1000",
                "cpu cpu.idle=0",
                "cpuset cpuset.cpus=0-1",
                "cpuset cpuset.mems=0",
                "pids pids.max=64",
                "io io.weight=default 4950",
                "io io.weight=8:0 910",
                "io io.max=8:0 rbps=1000",
                "io io.max=8:0 wbps=2000",
                "io io.max=8:0 riops=30",
                "io io.max=8:0 wiops=40",
                "hugetlb hugetlb.2MB.max=4194304",
                "rdma rdma.max=mlx5_1 hca_handle=3 hca_object=max",
                "memory memory.high=200000000",
                " cgroup.max.depth=5",
            ],
            writes.Select(w => $"{w.Controller} {w.File}={w.Value}"));
    }

    [Fact]
    public void Bfq_takes_the_v1_weight_range_unconverted()
    {
        var r = new LinuxResources { BlockIo = new LinuxBlockIo { Weight = 300, WeightDevice = [new LinuxWeightDevice { Major = 8, Minor = 16, Weight = 700 }] } };
        var writes = V2Resources.Convert(r, f => f == "io.bfq.weight", NullLogger.Instance);
        Assert.Equal(["io.bfq.weight=300", "io.bfq.weight=8:16 700"], writes.Select(w => $"{w.File}={w.Value}"));
    }

    [Fact]
    public void Unlimited_memory_sets_unlimited_swap_and_skips_missing_swap_file()
    {
        var withSwap = V2Resources.Convert(new LinuxResources { Memory = new LinuxMemory { Limit = -1 } }, _ => true, NullLogger.Instance);
        Assert.Equal(["memory.swap.max=max", "memory.max=max"], withSwap.Select(w => $"{w.File}={w.Value}"));
        var logger = new RecordingLogger();
        var noSwap = V2Resources.Convert(new LinuxResources { Memory = new LinuxMemory { Limit = -1 } }, _ => false, logger);
        Assert.Equal(["memory.max=max"], noSwap.Select(w => $"{w.File}={w.Value}"));
        Assert.Contains(logger.Entries, e => e.Message.Contains("memory.swap", StringComparison.Ordinal));
    }

    [Fact]
    public void V1_only_memory_settings_are_ignored_with_a_warning()
    {
        var logger = new RecordingLogger();
        var writes = V2Resources.Convert(new LinuxResources { Memory = new LinuxMemory { Swappiness = 10, DisableOomKiller = true, Kernel = 1 << 20 } }, _ => true, logger);
        Assert.Empty(writes);
        Assert.Equal(3, logger.Entries.Count(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning));
    }

    [Fact]
    public void Realtime_and_network_are_errors_on_v2()
    {
        Assert.Throws<CgroupException>(() => V2Resources.Convert(new LinuxResources { Cpu = new LinuxCpu { RealtimeRuntime = 1000 } }, _ => true, NullLogger.Instance));
        var e = Assert.Throws<CgroupException>(() => V2Resources.Convert(new LinuxResources { Network = new LinuxNetwork { ClassId = 0x100001 } }, _ => true, NullLogger.Instance));
        Assert.Contains("net_cls", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../memory.max")]
    [InlineData("memory/max")]
    [InlineData("nodot")]
    [InlineData("")]
    public void Unified_keys_must_be_plain_cgroup_file_names(string key) =>
        Assert.Throws<CgroupException>(() => V2Resources.Convert(new LinuxResources { Unified = new() { [key] = "1" } }, _ => true, NullLogger.Instance));

    [Theory]
    [InlineData("2MB", true)]
    [InlineData("1GB", true)]
    [InlineData("64KB", true)]
    [InlineData("2M", false)]
    [InlineData("MB", false)]
    [InlineData("2MB/../x", false)]
    public void Hugepage_sizes_are_kernel_names(string size, bool ok)
    {
        if (ok)
        {
            Assert.Equal(size, V2Resources.CheckPageSize(size));
        }
        else
        {
            Assert.Throws<CgroupException>(() => V2Resources.CheckPageSize(size));
        }
    }

    [Fact]
    public void Negative_memory_other_than_minus_one_is_refused() =>
        Assert.Throws<CgroupException>(() => V2Resources.Convert(new LinuxResources { Memory = new LinuxMemory { Limit = -5 } }, _ => true, NullLogger.Instance));
}
