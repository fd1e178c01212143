package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.spi.fs.SafeFile;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.fs.Sys;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A container's filesystem as its processes see it, for {@code cp}: a directory whose tree is the
 * container's root with its volumes and binds at their destinations, opened as a {@link SafeRoot}.
 * <ul>
 *   <li><b>Running</b>: {@code /proc/<init pid>/root}. Lookups from it follow the container's own mount
 *       tree, so volumes, binds and tmpfs are exactly what the container sees, and a write lands where
 *       the container would write.</li>
 *   <li><b>Created or stopped</b>: the same view assembled as Docker assembles it for cp — the mounted
 *       root filesystem plus each volume and bind of the container's last start, bind-mounted at its
 *       destination (read-only where the container had it read-only) — in a private mount namespace held
 *       by a small helper ({@code unshare --mount}), reached through {@code /proc/<helper>/root}. Nothing
 *       is mounted in the daemon's namespace, and the namespace ends with the helper, so a crash leaves no
 *       mount behind. A tmpfs has no contents while the container is stopped: its destination shows the
 *       root filesystem's directory, as Docker shows it.</li>
 * </ul>
 */
final class ContainerView implements AutoCloseable {
    private static final String ASSEMBLE = """
            set -e
            while [ $# -gt 0 ]; do
              mount --rbind "$1" "$2"
              if [ "$3" = ro ]; then mount -o remount,bind,ro "$2"; fi
              shift 3
            done
            echo ready
            read -r _ || true
            """;

    private final Path root;
    private final Process helper;

    private ContainerView(Path root, Process helper) {
        this.root = root;
        this.helper = helper;
    }

    /** The directory to open as the view's {@link SafeRoot}. */
    Path root() {
        return root;
    }

    /** A running container's view: its init process's root. Check {@link #belongsTo} after opening it. */
    static ContainerView running(long pid) {
        return new ContainerView(Path.of("/proc/" + pid + "/root"), null);
    }

    /**
     * Whether process {@code pid} is container {@code id}'s (its cgroup is berth's for the container): read
     * after the root was opened, it proves the opened root was the container's and not a reused pid's.
     */
    static boolean belongsTo(long pid, String id) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/cgroup")).contains("/berth/" + id);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A stopped or created container's view: {@code rootfs} (mounted) with the volumes and binds of
     * {@code mounts} (the container's {@code Mounts} records) placed at their destinations. Each destination
     * is resolved, and created when missing, inside the root filesystem before it is mounted on.
     */
    static ContainerView assemble(Path rootfs, JsonNode mounts) throws IOException {
        List<String[]> binds = new ArrayList<>();
        for (JsonNode m : mounts) {
            String type = m.path("Type").asText("");
            Path source = Path.of(m.path("Source").asText("/nonexistent"));
            String destination = m.path("Destination").asText("");
            if (!(type.equals("volume") || type.equals("bind")) || destination.isEmpty() || !Files.exists(source)) {
                continue;
            }
            binds.add(new String[] {source.toString(), destination, m.path("RW").asBoolean(true) ? "rw" : "ro"});
        }
        if (binds.isEmpty()) {
            return new ContainerView(rootfs, null);
        }
        // a parent before what is mounted inside it, as Docker orders mounts
        binds.sort(Comparator.comparingInt(b -> ContainerPaths.clean(b[1]).split("/").length));
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", ASSEMBLE, "sh"));
        try (SafeRoot fs = SafeRoot.open(rootfs, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            for (String[] b : binds) {
                String destination = ContainerPaths.resolve(fs, b[1]);
                if (Files.isDirectory(Path.of(b[0]))) {
                    fs.mkdirs(destination, 0755);
                } else {
                    Sys.Stat st = fs.lstat(destination);
                    if (st == null) {
                        try (SafeFile created = fs.create(destination, 0644)) {
                            // an empty file to mount a file on
                        }
                    }
                }
                // the daemon holds the container's lifecycle lock: nothing changes the stopped root meanwhile
                command.addAll(List.of(b[0], rootfs + destination, b[2]));
            }
        }
        Process helper = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder said = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null && !line.equals("ready")) {
            said.append(said.isEmpty() ? "" : "; ").append(line.strip());
        }
        if (line == null) {
            end(helper);
            throw new IOException("cannot place the container's volumes and binds for the copy: " + said);
        }
        return new ContainerView(Path.of("/proc/" + helper.pid() + "/root" + rootfs), helper);
    }

    @Override
    public void close() {
        if (helper != null) {
            end(helper);
        }
    }

    /** Ends the helper (closing its stdin ends its wait), and with it the namespace and its mounts. */
    private static void end(Process helper) {
        try {
            helper.getOutputStream().close();
            if (!helper.waitFor(5, TimeUnit.SECONDS)) {
                helper.destroyForcibly();
                helper.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            helper.destroyForcibly();
        } catch (InterruptedException e) {
            helper.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
