package io.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.text.json.Json;
import org.junit.jupiter.api.Test;

class StatsCommandTest {

    @Test
    void givenSizes_whenFormatted_thenDockersUnitsAndDigits() {
        assertEquals("0B", StatsCommand.binary(0));
        assertEquals("836KiB", StatsCommand.binary(836 * 1024));
        assertEquals("64MiB", StatsCommand.binary(64L << 20));
        assertEquals("23.54GiB", StatsCommand.binary(23.54 * (1L << 30)));
        assertEquals("0B", StatsCommand.decimal(0));
        assertEquals("1.23kB", StatsCommand.decimal(1234));
        assertEquals("4.1MB", StatsCommand.decimal(4_100_000));
        assertEquals("3.965MB", SystemDfCommand.size(3_965_000));
        assertEquals("10B", SystemDfCommand.size(10));
    }

    @Test
    void givenTwoSamples_whenARowIsMade_thenCpuPercentMemoryWithoutInactiveCacheAndSums() throws Exception {
        Object stats = Json.parse("""
                {"id":"5f63521122dd05552768b685fd44c27f218e870cf52b115461fc2b935a1e14bd","name":"/web",
                 "cpu_stats":{"cpu_usage":{"total_usage":3000000000},"system_cpu_usage":20000000000,"online_cpus":2},
                 "precpu_stats":{"cpu_usage":{"total_usage":2000000000},"system_cpu_usage":10000000000},
                 "memory_stats":{"usage":10485760,"limit":67108864,"stats":{"total_inactive_file":2097152}},
                 "networks":{"eth0":{"rx_bytes":1000,"tx_bytes":2000},"eth1":{"rx_bytes":500,"tx_bytes":0}},
                 "blkio_stats":{"io_service_bytes_recursive":[{"major":8,"minor":0,"op":"Read","value":4096},
                   {"major":8,"minor":0,"op":"write","value":8192}]},
                 "pids_stats":{"current":3}}
                """);
        assertArrayEquals(new String[] {"5f63521122dd", "web", "20.00%", "8MiB / 64MiB", "12.50%", "1.5kB / 2kB",
                "4.1kB / 8.19kB", "3"}, StatsCommand.row(stats));
    }
}
