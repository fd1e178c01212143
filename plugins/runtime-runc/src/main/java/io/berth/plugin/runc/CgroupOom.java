package io.berth.plugin.runc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether the kernel's out-of-memory killer struck in a container, from two sources:
 * <ol>
 *   <li>conmon's {@code oom} file in its persist directory, which it creates when the memory
 *       cgroup reports an OOM event (cgroup v1: an eventfd on {@code memory.oom_control}; v2:
 *       {@code memory.events}). It survives {@code runc delete}.</li>
 *   <li>the container's memory cgroup itself, while it exists: v1 {@code memory.oom_control}
 *       line {@code oom_kill N}, v2 {@code memory.events} line {@code oom_kill N}.</li>
 * </ol>
 * On this host (hybrid hierarchy) runc drives the v1 memory controller, so source 2 is
 * {@code /sys/fs/cgroup/memory/<cgroupsPath>}; the directory is read from
 * {@code /proc/<pid>/cgroup} of the container's first process right after create.
 */
final class CgroupOom {

    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    private CgroupOom() {
    }

    /**
     * @param oomFile      conmon's {@code oom} file
     * @param memoryCgroup the memory cgroup directory, or "" if unknown
     * @return whether an out-of-memory kill happened
     */
    static boolean oomKilled(Path oomFile, String memoryCgroup) {
        if (Files.exists(oomFile)) {
            return true;
        }
        if (memoryCgroup.isEmpty()) {
            return false;
        }
        Path dir = Path.of(memoryCgroup);
        return counter(dir.resolve("memory.oom_control"), "oom_kill") > 0
                || counter(dir.resolve("memory.events"), "oom_kill") > 0;
    }

    /**
     * The memory cgroup directory of a process: the v1 {@code memory} controller's line of
     * {@code /proc/<pid>/cgroup}, else the v2 line if {@code /sys/fs/cgroup} (or its
     * {@code unified} mount) has the memory controller.
     *
     * @param pid a process
     * @return the directory, or "" if the process is gone or has none
     */
    static String memoryCgroupOf(long pid) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"));
        } catch (IOException e) {
            return "";
        }
        String unified = null;
        for (String line : lines) {
            String[] parts = line.split(":", 3);
            if (parts.length < 3) {
                continue;
            }
            if (List.of(parts[1].split(",")).contains("memory")) {
                return CGROUP_ROOT.resolve("memory").toString() + parts[2];
            }
            if (parts[0].equals("0") && parts[1].isEmpty()) {
                unified = parts[2];
            }
        }
        if (unified != null) {
            for (Path mount : List.of(CGROUP_ROOT, CGROUP_ROOT.resolve("unified"))) {
                Path dir = Path.of(mount.toString() + unified);
                if (Files.exists(dir.resolve("memory.events"))) {
                    return dir.toString();
                }
            }
        }
        return "";
    }

    private static long counter(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] kv = line.strip().split("\\s+");
                if (kv.length == 2 && kv[0].equals(key)) {
                    return Long.parseLong(kv[1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
