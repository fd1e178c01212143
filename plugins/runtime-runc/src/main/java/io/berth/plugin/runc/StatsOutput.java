package io.berth.plugin.runc;

import io.berth.text.json.Json;
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
        Map<String, Object> raw = object(memory.get("raw"));
        raw.forEach((key, value) -> {
            if (value instanceof Number) {
                details.put(key, RuncJson.number(raw, key));
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
                blockIo.add(new ResourceStats.BlockIo(RuncJson.number(e, "major"), RuncJson.number(e, "minor"),
                        Json.text(e, "op").toLowerCase(Locale.ROOT), RuncJson.number(e, "value")));
            }
        }
        return new ResourceStats(RuncJson.number(usage, "total"), RuncJson.number(usage, "kernel"), RuncJson.number(usage, "user"), perCpu,
                RuncJson.number(throttling, "throttledPeriods"), RuncJson.number(throttling, "periods"), RuncJson.number(throttling, "throttledTime"),
                RuncJson.number(memoryUsage, "usage"), RuncJson.number(memoryUsage, "max"), RuncJson.number(memoryUsage, "limit"),
                RuncJson.number(memoryUsage, "failcnt"), details, RuncJson.number(pids, "current"), RuncJson.number(pids, "limit"), blockIo);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
