package io.berth.cli.commands;

import io.berth.text.json.Json;
import io.berth.text.format.Table;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code berth stats [--no-stream] [-a] [CONTAINER…]}: Docker's table from {@code GET /containers/{id}/stats?stream=false}
 * (the daemon waits for a second sample, so {@code precpu_stats} is there): CPU % as the share of the host's CPU time
 * times its CPUs, memory without the inactive page cache (Docker's CLI subtracts it too), network and block I/O
 * summed, pids. Without {@code --no-stream} the table is redrawn every second until interrupted.
 */
public final class StatsCommand extends ContainerCommand {
    private final OptionSpec noStream;
    private final OptionSpec all;
    private final PositionalParamSpec names;

    public StatsCommand(CommandContext root) {
        super(root, "stats", "Display a live stream of container(s) resource usage statistics");
        synopsis("[OPTIONS] [CONTAINER...]");
        all = flag("Show all containers (default shows just running)", "-a", "--all");
        noStream = flag("Disable streaming stats and only pull the first result", "--no-stream");
        names = arguments("CONTAINER");
    }

    @Override
    public Integer call() throws Exception {
        List<String> containers = values(names);
        while (true) {
            List<String> targets = containers.isEmpty() ? running(isSet(all)) : containers;
            Map<String, Object> answers = new ConcurrentHashMap<>();
            List<String> errors = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (String name : targets) {
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        answers.put(name, root.api().getJson(container(name) + "/stats?stream=false"));
                    } catch (IOException e) {
                        synchronized (errors) {
                            errors.add("Error response from daemon: " + e.getMessage());
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            Table table = new Table("CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS");
            for (String name : targets) {
                Object s = answers.get(name);
                if (s != null) {
                    table.row(row(s));
                }
            }
            if (!isSet(noStream)) {
                root.out().print("\033[2J\033[H");
            }
            table.print(root.out());
            root.out().flush();
            if (!errors.isEmpty()) {
                errors.forEach(root.err()::println);
                return 1;
            }
            if (isSet(noStream)) {
                return 0;
            }
        }
    }

    private List<String> running(boolean everyOne) throws IOException {
        List<String> ids = new ArrayList<>();
        if (root.api().getJson("/containers/json" + (everyOne ? "?all=1" : "")) instanceof List<?> list) {
            for (Object c : list) {
                ids.add(Json.text(c, "Id"));
            }
        }
        return ids;
    }

    /** One row as Docker's CLI computes it. */
    static String[] row(Object s) {
        String id = Json.text(s, "id");
        String name = Json.text(s, "name");
        double cpuDelta = num(s, "cpu_stats", "cpu_usage", "total_usage") - num(s, "precpu_stats", "cpu_usage", "total_usage");
        double systemDelta = num(s, "cpu_stats", "system_cpu_usage") - num(s, "precpu_stats", "system_cpu_usage");
        double cpus = num(s, "cpu_stats", "online_cpus");
        double cpu = systemDelta > 0 && cpuDelta > 0 ? cpuDelta / systemDelta * cpus * 100 : 0;
        double usage = num(s, "memory_stats", "usage");
        double inactive = Json.at(s, "memory_stats", "stats", "total_inactive_file") != null
                ? num(s, "memory_stats", "stats", "total_inactive_file") : num(s, "memory_stats", "stats", "inactive_file");
        double memory = inactive < usage ? usage - inactive : usage;
        double limit = num(s, "memory_stats", "limit");
        double rx = 0;
        double tx = 0;
        if (Json.at(s, "networks") instanceof Map<?, ?> nets) {
            for (Object n : nets.values()) {
                rx += num(n, "rx_bytes");
                tx += num(n, "tx_bytes");
            }
        }
        double read = 0;
        double write = 0;
        if (Json.at(s, "blkio_stats", "io_service_bytes_recursive") instanceof List<?> entries) {
            for (Object e : entries) {
                String op = Json.text(e, "op").toLowerCase(Locale.ROOT);
                if (op.startsWith("r")) {
                    read += num(e, "value");
                } else if (op.startsWith("w")) {
                    write += num(e, "value");
                }
            }
        }
        return new String[] {id.length() > 12 ? id.substring(0, 12) : id, name.startsWith("/") ? name.substring(1) : name,
                String.format(Locale.ROOT, "%.2f%%", cpu),
                binary(memory) + " / " + binary(limit), String.format(Locale.ROOT, "%.2f%%", limit > 0 ? memory / limit * 100 : 0),
                decimal(rx) + " / " + decimal(tx), decimal(read) + " / " + decimal(write),
                String.valueOf((long) num(s, "pids_stats", "current"))};
    }

    private static double num(Object node, String... path) {
        return Json.at(node, path) instanceof Number n ? n.doubleValue() : 0;
    }

    /** Docker's {@code units.BytesSize}: four significant digits, powers of 1024. */
    static String binary(double size) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        int i = 0;
        while (size >= 1024 && i < units.length - 1) {
            size /= 1024;
            i++;
        }
        return trim(String.format(Locale.ROOT, "%.4g", size)) + units[i];
    }

    /** Docker's {@code units.HumanSizeWithPrecision(size, 3)}: three significant digits, powers of 1000. */
    static String decimal(double size) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        int i = 0;
        while (size >= 1000 && i < units.length - 1) {
            size /= 1000;
            i++;
        }
        return trim(String.format(Locale.ROOT, "%.3g", size)) + units[i];
    }

    /** Go's {@code %g} drops trailing zeros, Java's does not. */
    private static String trim(String number) {
        if (number.contains("e")) {
            return number;
        }
        return number.contains(".") ? number.replaceAll("0+$", "").replaceAll("\\.$", "") : number;
    }
}
