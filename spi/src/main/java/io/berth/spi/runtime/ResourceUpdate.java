package io.berth.spi.runtime;

/**
 * New resource limits for a running container ({@code docker update}). A {@code null} field is
 * left as it is; every value is in the unit the OCI runtime spec's {@code linux.resources} uses.
 *
 * @param memoryBytes        the memory limit in bytes ({@code -1}: unlimited)
 * @param memorySwapBytes    memory plus swap in bytes ({@code -1}: unlimited swap)
 * @param memoryReservationBytes the soft limit in bytes
 * @param cpuShares          the relative CPU weight (cgroup v1 shares, 2..262144)
 * @param cpuQuotaMicros     CPU time allowed per period, in microseconds ({@code -1}: no quota)
 * @param cpuPeriodMicros    the length of the period, in microseconds
 * @param cpusetCpus         the CPUs the container may run on ({@code 0-3}, {@code 0,2})
 * @param cpusetMems         the memory nodes it may use
 * @param pidsLimit          the most tasks it may have ({@code -1} or 0: unlimited)
 * @param blkioWeight        the relative block I/O weight (10..1000)
 */
public record ResourceUpdate(Long memoryBytes, Long memorySwapBytes, Long memoryReservationBytes, Long cpuShares,
                             Long cpuQuotaMicros, Long cpuPeriodMicros, String cpusetCpus, String cpusetMems,
                             Long pidsLimit, Long blkioWeight) {

    /** Whether nothing is to change. */
    public boolean isEmpty() {
        return memoryBytes == null && memorySwapBytes == null && memoryReservationBytes == null && cpuShares == null
                && cpuQuotaMicros == null && cpuPeriodMicros == null && cpusetCpus == null && cpusetMems == null
                && pidsLimit == null && blkioWeight == null;
    }
}
