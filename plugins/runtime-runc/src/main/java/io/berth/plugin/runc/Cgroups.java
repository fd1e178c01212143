package io.berth.plugin.runc;

import io.berth.spi.Probe;
import io.berth.spi.fs.MountTable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which cgroup hierarchy runc will drive here, read from {@code /proc/self/mountinfo}:
 * <ul>
 *   <li>unified: {@code /sys/fs/cgroup} itself is cgroup2; runc uses the v2 controllers;</li>
 *   <li>legacy or hybrid: v1 controllers mounted under {@code /sys/fs/cgroup/<controller>}
 *       (hybrid adds a v2 mount at {@code /sys/fs/cgroup/unified}); runc 1.1 uses the v1
 *       controllers with cgroupfs paths and also creates the container's directory in the v2
 *       mount.</li>
 * </ul>
 * The check fails if the controllers berth's resource options need (memory, pids, cpu) are absent.
 */
final class Cgroups {

    private static final List<String> NEEDED = List.of("memory", "pids", "cpu");

    private Cgroups() {
    }

    static Probe.Check check() {
        List<MountTable.Entry> mounts;
        try {
            mounts = MountTable.read();
        } catch (java.io.UncheckedIOException e) {
            return Probe.Check.failed("cgroups", Probe.Kind.KERNEL, e.getMessage());
        }
        Set<String> v1 = new TreeSet<>();
        String unified = null;
        for (MountTable.Entry m : mounts) {
            String mountPoint = m.mountPoint().toString();
            if (m.type().equals("cgroup2") && mountPoint.startsWith("/sys/fs/cgroup")) {
                unified = mountPoint;
            } else if (m.type().equals("cgroup") && mountPoint.startsWith("/sys/fs/cgroup/")) {
                for (String option : m.superOptions().split(",")) {
                    if (NEEDED.contains(option) || List.of("devices", "freezer", "cpuset", "blkio", "cpuacct").contains(option)) {
                        v1.add(option);
                    }
                }
            }
        }
        if ("/sys/fs/cgroup".equals(unified)) {
            Set<String> controllers = v2Controllers(Path.of("/sys/fs/cgroup/cgroup.controllers"));
            List<String> missing = NEEDED.stream().filter(c -> !controllers.contains(c)).toList();
            return missing.isEmpty()
                    ? Probe.Check.passed("cgroups", Probe.Kind.KERNEL, "cgroup v2 (unified) at /sys/fs/cgroup, controllers " + controllers)
                    : Probe.Check.failed("cgroups", Probe.Kind.KERNEL, "cgroup v2 at /sys/fs/cgroup lacks the controllers " + missing);
        }
        List<String> missing = NEEDED.stream().filter(c -> !v1.contains(c)).toList();
        if (v1.isEmpty()) {
            return Probe.Check.failed("cgroups", Probe.Kind.KERNEL,
                    "no cgroup hierarchy is mounted under /sys/fs/cgroup; mount cgroup2 there (or the v1 controllers)");
        }
        String kind = unified == null ? "cgroup v1 (legacy)" : "cgroup v1 controllers with cgroup v2 at " + unified + " (hybrid)";
        return missing.isEmpty()
                ? Probe.Check.passed("cgroups", Probe.Kind.KERNEL, kind + "; runc drives the v1 controllers " + v1
                        + " under /sys/fs/cgroup/<controller> with cgroupfs paths")
                : Probe.Check.failed("cgroups", Probe.Kind.KERNEL, kind + " lacks the controllers " + missing);
    }

    private static Set<String> v2Controllers(Path file) {
        try {
            return new TreeSet<>(List.of(Files.readString(file).strip().split("\\s+")));
        } catch (IOException e) {
            return Set.of();
        }
    }
}
