package io.berth.cli.commands;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code berth update [OPTIONS] CONTAINER…}: {@code POST /containers/{id}/update} with Docker's body: memory (with
 * Docker's units), CPUs, CPU shares, quota and period, cpuset, pids limit, block I/O weight, restart policy.
 */
public final class UpdateCommand extends ContainerCommand {
    private final OptionSpec memory;
    private final OptionSpec memorySwap;
    private final OptionSpec memoryReservation;
    private final OptionSpec cpus;
    private final OptionSpec cpuShares;
    private final OptionSpec cpuQuota;
    private final OptionSpec cpuPeriod;
    private final OptionSpec cpusetCpus;
    private final OptionSpec cpusetMems;
    private final OptionSpec pidsLimit;
    private final OptionSpec blkioWeight;
    private final OptionSpec restart;
    private final PositionalParamSpec names;

    public UpdateCommand(CommandContext root) {
        super(root, "update", "Update configuration of one or more containers");
        synopsis("[OPTIONS] CONTAINER [CONTAINER...]");
        memory = option("bytes", "Memory limit", "-m", "--memory");
        memorySwap = option("bytes", "Swap limit equal to memory plus swap: -1 to enable unlimited swap", "--memory-swap");
        memoryReservation = option("bytes", "Memory soft limit", "--memory-reservation");
        cpus = option("decimal", "Number of CPUs", "--cpus");
        cpuShares = option("int", "CPU shares (relative weight)", "-c", "--cpu-shares");
        cpuQuota = option("int", "Limit CPU CFS (Completely Fair Scheduler) quota", "--cpu-quota");
        cpuPeriod = option("int", "Limit CPU CFS (Completely Fair Scheduler) period", "--cpu-period");
        cpusetCpus = option("string", "CPUs in which to allow execution (0-3, 0,1)", "--cpuset-cpus");
        cpusetMems = option("string", "MEMs in which to allow execution (0-3, 0,1)", "--cpuset-mems");
        pidsLimit = option("int", "Tune container pids limit (set -1 for unlimited)", "--pids-limit");
        blkioWeight = option("uint16", "Block IO (relative weight), between 10 and 1000, or 0 to disable", "--blkio-weight");
        restart = option("string", "Restart policy to apply when a container exits", "--restart");
        names = arguments("CONTAINER");
    }

    @Override
    public Integer call() throws Exception {
        List<String> containers = requireArgs(names, 1, -1);
        Map<String, Object> body = new LinkedHashMap<>();
        putBytes(body, "Memory", memory, "--memory");
        putBytes(body, "MemorySwap", memorySwap, "--memory-swap");
        putBytes(body, "MemoryReservation", memoryReservation, "--memory-reservation");
        if (string(cpus) != null) {
            try {
                body.put("NanoCpus", Math.round(Double.parseDouble(string(cpus)) * 1e9));
            } catch (NumberFormatException e) {
                throw invalid(string(cpus), "--cpus");
            }
        }
        putLong(body, "CpuShares", cpuShares, "-c, --cpu-shares");
        putLong(body, "CpuQuota", cpuQuota, "--cpu-quota");
        putLong(body, "CpuPeriod", cpuPeriod, "--cpu-period");
        if (string(cpusetCpus) != null) {
            body.put("CpusetCpus", string(cpusetCpus));
        }
        if (string(cpusetMems) != null) {
            body.put("CpusetMems", string(cpusetMems));
        }
        putLong(body, "PidsLimit", pidsLimit, "--pids-limit");
        putLong(body, "BlkioWeight", blkioWeight, "--blkio-weight");
        if (string(restart) != null) {
            String[] parts = string(restart).split(":", 2);
            Map<String, Object> policy = new LinkedHashMap<>();
            policy.put("Name", parts[0]);
            if (parts.length > 1) {
                try {
                    policy.put("MaximumRetryCount", Integer.parseInt(parts[1]));
                } catch (NumberFormatException e) {
                    throw invalid(string(restart), "--restart");
                }
            }
            body.put("RestartPolicy", policy);
        }
        if (body.isEmpty()) {
            throw new CliException(ExitCodes.FAILED, "berth: you must provide one or more flags when using this command");
        }
        return forEach(containers, name -> {
            root.api().post(container(name) + "/update", body);
            return name;
        });
    }

    private static void putLong(Map<String, Object> body, String field, OptionSpec option, String flag) {
        String value = string(option);
        if (value != null) {
            try {
                body.put(field, Long.parseLong(value.strip()));
            } catch (NumberFormatException e) {
                throw invalid(value, flag);
            }
        }
    }

    private static void putBytes(Map<String, Object> body, String field, OptionSpec option, String flag) {
        String value = string(option);
        if (value != null) {
            body.put(field, bytes(value, flag));
        }
    }

    /** Docker's sizes: a number with an optional unit b, k, m, g (powers of 1024); -1 stays -1. */
    static long bytes(String text, String flag) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("-1")) {
            return -1;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([bkmgt]?)b?").matcher(t);
        if (!m.matches()) {
            throw invalid(text, flag);
        }
        double n = Double.parseDouble(m.group(1));
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        return (long) (n * (1L << shift));
    }

    private static CliException invalid(String value, String flag) {
        return new CliException(ExitCodes.ENGINE, "invalid argument \"" + value + "\" for \"" + flag + "\" flag\nSee 'berth update --help'.");
    }
}
