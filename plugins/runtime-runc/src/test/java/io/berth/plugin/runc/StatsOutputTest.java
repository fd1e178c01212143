package io.berth.plugin.runc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.spi.runtime.ResourceStats;
import java.util.List;
import org.junit.jupiter.api.Test;

/** runc's {@code events --stats} output as runc 1.1 prints it on this host's v1 controllers, and a v2-shaped one. */
class StatsOutputTest {

    @Test
    void givenCgroupV1Sample_whenParsed_thenCountersPerCpuMemoryAndPids() throws Exception {
        String v1 = """
                {"type":"stats","id":"x1","data":{"cpu":{"usage":{"total":11684002,"percpu":[4475105,7208897],
                "percpu_kernel":[0,4000000],"percpu_user":[0,0],"kernel":10000000,"user":0},"throttling":{}},
                "memory":{"cache":12288,"usage":{"limit":99999744,"usage":823296,"max":2256896,"failcnt":0},
                "swap":{"limit":9223372036854771712,"usage":823296,"max":2256896,"failcnt":0},
                "raw":{"cache":12288,"rss":53248,"total_inactive_file":0}},
                "pids":{"current":1,"limit":20},
                "blkio":{"ioServiceBytesRecursive":[{"major":8,"minor":0,"op":"Read","value":4096},
                {"major":8,"minor":0,"op":"Write","value":0}]},"hugetlb":{},"intel_rdt":{},"network_interfaces":null}}
                """;
        ResourceStats stats = StatsOutput.parse(RuncJson.object(v1, "runc events"));
        assertEquals(11684002, stats.cpuTotalNanos());
        assertEquals(10000000, stats.cpuKernelNanos());
        assertEquals(List.of(4475105L, 7208897L), stats.perCpuNanos());
        assertEquals(823296, stats.memoryUsage());
        assertEquals(2256896, stats.memoryMaxUsage());
        assertEquals(99999744, stats.memoryLimit());
        assertEquals(53248, stats.memoryDetails().get("rss"));
        assertEquals(1, stats.pidsCurrent());
        assertEquals(20, stats.pidsLimit());
        assertEquals(List.of(new ResourceStats.BlockIo(8, 0, "read", 4096), new ResourceStats.BlockIo(8, 0, "write", 0)),
                stats.blockIo());
    }

    @Test
    void givenCgroupV2SampleWithoutLimits_whenParsed_thenUnlimitedReadsAsLongMaxAndAbsentCountersAsZero() throws Exception {
        String v2 = """
                {"type":"stats","id":"x2","data":{"cpu":{"usage":{"total":5000,"kernel":2000,"user":3000},
                "throttling":{"periods":10,"throttledPeriods":2,"throttledTime":700}},
                "memory":{"usage":{"limit":18446744073709551615,"usage":4096}},"pids":{"current":3},"blkio":{}}}
                """;
        ResourceStats stats = StatsOutput.parse(RuncJson.object(v2, "runc events"));
        assertEquals(5000, stats.cpuTotalNanos());
        assertTrue(stats.perCpuNanos().isEmpty(), "v2 does not count per CPU");
        assertEquals(Long.MAX_VALUE, stats.memoryLimit());
        assertEquals(0, stats.memoryMaxUsage());
        assertEquals(10, stats.throttlingPeriods());
        assertEquals(2, stats.throttledPeriods());
        assertEquals(700, stats.throttledNanos());
        assertEquals(0, stats.pidsLimit());
        assertTrue(stats.blockIo().isEmpty());
    }
}
