package io.berth.spi.runtime;

import java.util.List;
import java.util.Map;

/**
 * One sample of a container's resource use, read from its cgroup (v1 controllers or the v2
 * unified hierarchy: the runtime hides which). Counters are cumulative since the container's
 * cgroup was made; the engine turns two samples into rates ({@code docker stats}' CPU %).
 *
 * @param cpuTotalNanos   CPU time used by every task of the cgroup, in nanoseconds
 * @param cpuKernelNanos  of which in kernel mode (0 when the kernel does not say)
 * @param cpuUserNanos    of which in user mode (0 when the kernel does not say)
 * @param perCpuNanos     CPU time per host CPU (empty on cgroup v2, which does not count per CPU)
 * @param throttledPeriods enforcement periods in which the cgroup was throttled
 * @param throttlingPeriods enforcement periods that have elapsed
 * @param throttledNanos  total time the cgroup was throttled, in nanoseconds
 * @param memoryUsage     memory in use, in bytes (page cache included, as the kernel counts it)
 * @param memoryMaxUsage  the highest memory use seen, in bytes (0 on cgroup v2, which does not keep it)
 * @param memoryLimit     the memory limit in bytes; a huge number when unlimited
 * @param memoryFailcnt   how many times the limit was hit (0 on cgroup v2)
 * @param memoryDetails   the kernel's memory breakdown ({@code memory.stat}: {@code cache},
 *                        {@code rss}, {@code inactive_file}, … on v1; {@code anon}, {@code file}, … on v2)
 * @param pidsCurrent     tasks in the cgroup
 * @param pidsLimit       the pids limit, 0 when unlimited
 * @param blockIo         bytes read and written per device and operation
 */
public record ResourceStats(long cpuTotalNanos, long cpuKernelNanos, long cpuUserNanos, List<Long> perCpuNanos,
                            long throttledPeriods, long throttlingPeriods, long throttledNanos,
                            long memoryUsage, long memoryMaxUsage, long memoryLimit, long memoryFailcnt,
                            Map<String, Long> memoryDetails, long pidsCurrent, long pidsLimit, List<BlockIo> blockIo) {

    /** Copies the collections. */
    public ResourceStats {
        perCpuNanos = List.copyOf(perCpuNanos);
        memoryDetails = Map.copyOf(memoryDetails);
        blockIo = List.copyOf(blockIo);
    }

    /**
     * Bytes moved to or from one block device.
     *
     * @param major     the device's major number
     * @param minor     its minor number
     * @param operation {@code read}, {@code write}, {@code sync}, {@code async}, {@code discard} or {@code total},
     *                  as the kernel names it (lower case)
     * @param bytes     the count
     */
    public record BlockIo(long major, long minor, String operation, long bytes) {
    }
}
