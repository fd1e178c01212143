package io.berth.plugin.runc;

import io.berth.spi.json.JsonTree;
import io.berth.spi.runtime.ResourceStats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@code runc events --stats}: {@code {"type":"stats","id":…,"data":{"cpu":…,"memory":…,"pids":…,
 * "blkio":…}}}. runc reads the v1 controllers or the v2 files itself and prints the same shape for both,
 * leaving out what a hierarchy does not count (v2 has no per-CPU usage and no max usage).
 */
final class StatsOutput {
    private StatsOutput() {
    }

    static ResourceStats parse(Map<String, Object> events) {
        Map<String, Object> data = object(events.get("data"));
        Map<String, Object> cpu = object(data.get("cpu"));
        Map<String, Object> usage = object(cpu.get("usage"));
        Map<String, Object> throttling = object(cpu.get("throttling"));
        Map<String, Object> memory = object(data.get("memory"));
        Map<String, Object> memoryUsage = object(memory.get("usage"));
        Map<String, Object> pids = object(data.get("pids"));
        Map<String, Long> details = new TreeMap<>();
        object(memory.get("raw")).forEach((key, value) -> {
            if (value instanceof Number n) {
                details.put(key, n.longValue());
            }
        });
        List<Long> perCpu = new ArrayList<>();
        if (usage.get("percpu") instanceof List<?> values) {
            values.forEach(v -> perCpu.add(v instanceof Number n ? n.longValue() : 0L));
        }
        List<ResourceStats.BlockIo> blockIo = new ArrayList<>();
        if (object(data.get("blkio")).get("ioServiceBytesRecursive") instanceof List<?> entries) {
            for (Object entry : entries) {
                Map<String, Object> e = object(entry);
                blockIo.add(new ResourceStats.BlockIo(JsonTree.number(e, "major"), JsonTree.number(e, "minor"),
                        JsonTree.string(e, "op").toLowerCase(Locale.ROOT), JsonTree.number(e, "value")));
            }
        }
        return new ResourceStats(JsonTree.number(usage, "total"), JsonTree.number(usage, "kernel"), JsonTree.number(usage, "user"), perCpu,
                JsonTree.number(throttling, "throttledPeriods"), JsonTree.number(throttling, "periods"), JsonTree.number(throttling, "throttledTime"),
                JsonTree.number(memoryUsage, "usage"), JsonTree.number(memoryUsage, "max"), JsonTree.number(memoryUsage, "limit"),
                JsonTree.number(memoryUsage, "failcnt"), details, JsonTree.number(pids, "current"), JsonTree.number(pids, "limit"), blockIo);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
