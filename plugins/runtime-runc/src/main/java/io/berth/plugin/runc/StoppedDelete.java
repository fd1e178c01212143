package io.berth.plugin.runc;

import io.berth.text.json.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Deletes a stopped container's runc state without a runc process: what {@code runc delete} does for a
 * stopped container whose init had its own pid namespace (so no process of it outlives the init) — remove
 * its cgroup directories, then its directory under runc's root — when nothing else is asked of it (no
 * systemd cgroup driver, no poststop hook, no Intel RDT group). Anything else, or any step that does not
 * go as expected (a cgroup still holding a process or a child cgroup), is left to {@code runc delete}:
 * {@link #tryDelete} then answers false, having removed nothing runc would miss.
 */
final class StoppedDelete {

    private StoppedDelete() {
    }

    /**
     * @param runcRoot runc's {@code --root}
     * @param id       the container, whose init is known to have exited (its exit file is written)
     * @return true if its state is gone; false if {@code runc delete} must do it
     */
    static boolean tryDelete(Path runcRoot, String id) {
        Path directory = runcRoot.resolve(id);
        Map<String, Object> state;
        try {
            state = Json.parseObject(Files.readAllBytes(directory.resolve("state.json")), "runc's state");
        } catch (IOException | RuntimeException e) {
            return false;
        }
        List<Path> cgroups = cgroupsIfPlain(state);
        if (cgroups == null) {
            return false;
        }
        for (Path cgroup : cgroups) {
            if (!Files.isDirectory(cgroup)) {
                continue;
            }
            try {
                if (!Files.readString(cgroup.resolve("cgroup.procs")).isBlank()) {
                    return false; // a process is still in it (leaving): runc waits and retries
                }
                Files.delete(cgroup); // rmdir: a cgroup's control files are not files to remove
            } catch (NoSuchFileException e) {
                // gone meanwhile
            } catch (IOException e) {
                return false;
            }
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            return false;
        }
        return true;
    }

    /**
     * The container's cgroup directories, or null if deleting it takes more than removing them: the systemd
     * driver (a unit to stop), a poststop hook, an Intel RDT group, or no pid namespace of its own.
     */
    private static List<Path> cgroupsIfPlain(Map<String, Object> state) {
        Object config = state.get("config");
        if (!(Json.at(config, "cgroups", "Systemd") instanceof Boolean systemd) || systemd) {
            return null;
        }
        if (Json.at(config, "intel_rdt") != null) {
            return null;
        }
        if (Json.at(config, "Hooks") instanceof Map<?, ?> hooks && hooks.get("poststop") instanceof List<?> poststop
                && !poststop.isEmpty()) {
            return null;
        }
        boolean ownPidNamespace = false;
        if (Json.at(config, "namespaces") instanceof List<?> namespaces) {
            for (Object ns : namespaces) {
                if (ns instanceof Map<?, ?> m && "NEWPID".equals(m.get("type")) && (m.get("path") == null || "".equals(m.get("path")))) {
                    ownPidNamespace = true;
                }
            }
        }
        if (!ownPidNamespace) {
            return null;
        }
        List<Path> cgroups = new ArrayList<>();
        if (state.get("cgroup_paths") instanceof Map<?, ?> paths) {
            for (Object path : paths.values()) {
                if (!(path instanceof String p) || !p.startsWith("/sys/fs/cgroup/")) {
                    return null;
                }
                cgroups.add(Path.of(p));
            }
        }
        return cgroups;
    }
}
