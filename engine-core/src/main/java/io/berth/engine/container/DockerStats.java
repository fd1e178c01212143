package io.berth.engine.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.spi.runtime.ResourceStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Docker's stats JSON ({@code GET /containers/{id}/stats}, the swagger's {@code ContainerStatsResponse}) from
 * two samples of the runtime's cgroup counters: {@code cpu_stats} is the newer, {@code precpu_stats} the one
 * before (clients compute CPU % from their difference and the host's), with the host's CPU time from
 * {@code /proc/stat}, the memory limit capped at the host's memory (as Docker does for an unlimited
 * container), and the container's interfaces from {@code /proc/PID/net/dev} (its network namespace).
 */
public final class DockerStats {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code /proc/stat} counts in USER_HZ, 100 per second on Linux. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private DockerStats() {
    }

    /**
     * One sample with the host's counters at the same moment.
     *
     * @param stats     the cgroup's counters; {@code null} for a container that is not running (zeros)
     * @param read      when it was taken
     * @param systemCpu the host's CPU time in nanoseconds (all CPUs, every state)
     * @param onlineCpus the host's online CPUs
     */
    public record Sample(ResourceStats stats, Instant read, long systemCpu, int onlineCpus) {
        /** Takes the host's counters now. */
        public static Sample of(ResourceStats stats) {
            long[] cpu = hostCpu();
            return new Sample(stats, Instant.now(), cpu[0], (int) cpu[1]);
        }
    }

    /**
     * Docker's JSON for one reading.
     *
     * @param previous the sample before, {@code null} for none (Docker's one-shot: {@code precpu_stats} empty)
     * @param pid      the container's first process, for its network counters; 0 for none
     * @param networks whether to report {@code networks} (not for {@code none} and {@code host})
     */
    public static ObjectNode render(String id, String name, Sample current, Sample previous, long pid, boolean networks) {
        ObjectNode out = JSON.createObjectNode();
        boolean running = current.stats() != null;
        out.put("read", running ? current.read().toString() : "0001-01-01T00:00:00Z");
        out.put("preread", previous != null && previous.stats() != null ? previous.read().toString() : "0001-01-01T00:00:00Z");
        ResourceStats s = current.stats();
        ObjectNode pids = out.putObject("pids_stats");
        if (running) {
            pids.put("current", s.pidsCurrent());
            if (s.pidsLimit() > 0) {
                pids.put("limit", s.pidsLimit());
            }
        }
        ObjectNode blkio = out.putObject("blkio_stats");
        if (running) {
            ArrayNode bytes = blkio.putArray("io_service_bytes_recursive");
            for (ResourceStats.BlockIo io : s.blockIo()) {
                ObjectNode entry = bytes.addObject();
                entry.put("major", io.major());
                entry.put("minor", io.minor());
                entry.put("op", capitalized(io.operation()));
                entry.put("value", io.bytes());
            }
        } else {
            blkio.putNull("io_service_bytes_recursive");
        }
        for (String unused : List.of("io_serviced_recursive", "io_queue_recursive", "io_service_time_recursive",
                "io_wait_time_recursive", "io_merged_recursive", "io_time_recursive", "sectors_recursive")) {
            blkio.putNull(unused);
        }
        out.put("num_procs", 0);
        out.putObject("storage_stats");
        out.set("cpu_stats", cpu(current));
        out.set("precpu_stats", previous == null ? emptyCpu() : cpu(previous));
        ObjectNode memory = out.putObject("memory_stats");
        if (running) {
            memory.put("usage", s.memoryUsage());
            if (s.memoryMaxUsage() > 0) {
                memory.put("max_usage", s.memoryMaxUsage());
            }
            ObjectNode details = memory.putObject("stats");
            new java.util.TreeMap<>(s.memoryDetails()).forEach(details::put);
            if (s.memoryFailcnt() > 0 || s.memoryMaxUsage() > 0) {
                memory.put("failcnt", s.memoryFailcnt());
            }
            long host = hostMemory();
            memory.put("limit", host > 0 && (s.memoryLimit() <= 0 || s.memoryLimit() > host) ? host : s.memoryLimit());
        }
        out.put("name", "/" + name);
        out.put("id", id);
        if (running && networks && pid > 0) {
            Map<String, long[]> interfaces = interfaces(pid);
            if (!interfaces.isEmpty()) {
                ObjectNode nets = out.putObject("networks");
                interfaces.forEach((ifName, c) -> {
                    ObjectNode n = nets.putObject(ifName);
                    n.put("rx_bytes", c[0]);
                    n.put("rx_packets", c[1]);
                    n.put("rx_errors", c[2]);
                    n.put("rx_dropped", c[3]);
                    n.put("tx_bytes", c[8]);
                    n.put("tx_packets", c[9]);
                    n.put("tx_errors", c[10]);
                    n.put("tx_dropped", c[11]);
                });
            }
        }
        return out;
    }

    private static ObjectNode cpu(Sample sample) {
        ResourceStats s = sample.stats();
        if (s == null) {
            return emptyCpu();
        }
        ObjectNode cpu = JSON.createObjectNode();
        ObjectNode usage = cpu.putObject("cpu_usage");
        usage.put("total_usage", s.cpuTotalNanos());
        if (!s.perCpuNanos().isEmpty()) {
            ArrayNode per = usage.putArray("percpu_usage");
            s.perCpuNanos().forEach(per::add);
        }
        usage.put("usage_in_kernelmode", s.cpuKernelNanos());
        usage.put("usage_in_usermode", s.cpuUserNanos());
        cpu.put("system_cpu_usage", sample.systemCpu());
        cpu.put("online_cpus", sample.onlineCpus());
        ObjectNode throttling = cpu.putObject("throttling_data");
        throttling.put("periods", s.throttlingPeriods());
        throttling.put("throttled_periods", s.throttledPeriods());
        throttling.put("throttled_time", s.throttledNanos());
        return cpu;
    }

    private static ObjectNode emptyCpu() {
        ObjectNode cpu = JSON.createObjectNode();
        ObjectNode usage = cpu.putObject("cpu_usage");
        usage.put("total_usage", 0);
        usage.put("usage_in_kernelmode", 0);
        usage.put("usage_in_usermode", 0);
        ObjectNode throttling = cpu.putObject("throttling_data");
        throttling.put("periods", 0);
        throttling.put("throttled_periods", 0);
        throttling.put("throttled_time", 0);
        return cpu;
    }

    /** v1 names operations {@code Read}, {@code Write}, … (v2 lower case); Docker passes v1's through. */
    private static String capitalized(String operation) {
        return operation.isEmpty() ? operation : operation.substring(0, 1).toUpperCase(Locale.ROOT) + operation.substring(1);
    }

    /** The host's CPU time in nanoseconds and its online CPUs, from {@code /proc/stat}. */
    static long[] hostCpu() {
        long total = 0;
        long cpus = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    String[] fields = line.trim().split("\\s+");
                    // user nice system idle iowait irq softirq steal: guest time is already in user
                    for (int i = 1; i < Math.min(fields.length, 9); i++) {
                        total += Long.parseLong(fields[i]);
                    }
                } else if (line.startsWith("cpu")) {
                    cpus++;
                }
            }
        } catch (IOException | RuntimeException e) {
            return new long[] {0, Runtime.getRuntime().availableProcessors()};
        }
        return new long[] {total * NANOS_PER_TICK, cpus};
    }

    /** The host's memory in bytes, from {@code /proc/meminfo}; 0 when unknown. */
    static long hostMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.substring(9).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    /**
     * The interfaces of the process's network namespace but loopback, with {@code /proc/net/dev}'s sixteen
     * counters (receive: bytes packets errs drop fifo frame compressed multicast; transmit: the same eight).
     */
    static Map<String, long[]> interfaces(long pid) {
        Map<String, long[]> out = new java.util.TreeMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", "dev"))) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = line.substring(0, colon).trim();
                if (name.equals("lo")) {
                    continue;
                }
                String[] fields = line.substring(colon + 1).trim().split("\\s+");
                if (fields.length < 16) {
                    continue;
                }
                long[] counters = new long[16];
                for (int i = 0; i < 16; i++) {
                    counters[i] = Long.parseLong(fields[i]);
                }
                out.put(name, counters);
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return out;
    }
}
