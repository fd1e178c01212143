package io.berth.spi.tck;

import io.berth.spi.fs.MountTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a container can leave behind on the host, looked up directly rather than through the
 * runtime under test: cgroup directories {@code <hierarchy>/berth-test/<id>} in every mounted
 * cgroup hierarchy, processes whose command line names the id (runc, conmon), and files or
 * directories named after the id under the plugin's data directory.
 */
public final class ContainerLeaks {

    private ContainerLeaks() {
    }

    /** @return every mounted cgroup hierarchy (v1 controllers and v2), from /proc/self/mountinfo */
    public static List<Path> cgroupHierarchies() {
        return MountTable.read().stream()
                .filter(m -> m.type().equals("cgroup") || m.type().equals("cgroup2"))
                .map(MountTable.Entry::mountPoint)
                .toList();
    }

    /** @return the container's cgroup directories that exist */
    public static List<Path> cgroups(String id) {
        return cgroupHierarchies().stream().map(h -> h.resolve(TestBundles.CGROUP_PARENT).resolve(id)).filter(Files::isDirectory).toList();
    }

    /** @return pids of processes whose command line has the id as one of its arguments (or inside one) */
    public static List<Long> processes(String id) {
        long self = ProcessHandle.current().pid();
        List<Long> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (pid == self) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmdline.contains(id) && !zombie(proc)) {
                        found.add(pid);
                    }
                } catch (IOException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return found;
    }

    private static boolean zombie(Path proc) throws IOException {
        String stat = Files.readString(proc.resolve("stat"));
        int close = stat.lastIndexOf(')');
        return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
    }

    /** @return files and directories under {@code dir} whose name contains the id */
    public static List<Path> files(Path dir, String id) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> p.getFileName() != null && p.getFileName().toString().contains(id)).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot walk " + dir, e);
        }
    }

    /** Kills the processes and removes the cgroup directories of a container, best effort. */
    public static void removeForcibly(String id) {
        for (long pid : processes(id)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (Path cgroup : cgroups(id)) {
            try {
                Path procs = cgroup.resolve("cgroup.procs");
                if (Files.exists(procs)) {
                    for (String pid : Files.readAllLines(procs)) {
                        if (!pid.isBlank()) {
                            ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
                        }
                    }
                }
                for (int i = 0; i < 50 && Files.isDirectory(cgroup); i++) {
                    try {
                        Files.delete(cgroup);
                    } catch (IOException busy) {
                        Thread.sleep(20);
                    }
                }
            } catch (IOException | InterruptedException | NumberFormatException e) {
                // best effort: the leak check reports what is left
            }
        }
    }

    /** Removes the empty {@code berth-test} parents the kit's containers had. */
    public static void removeEmptyParents() {
        for (Path hierarchy : cgroupHierarchies()) {
            try {
                Files.deleteIfExists(hierarchy.resolve(TestBundles.CGROUP_PARENT));
            } catch (IOException e) {
                // not empty (another test's container), or not ours
            }
        }
    }
}
