package io.berth.engine.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.spi.ContainerRuntime;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ContainerSpec;
import io.berth.spi.runtime.ExitStatus;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The one way berth launches a container, used by {@code run} ({@link ContainerStarter}) and by a
 * build's {@code RUN}: resolve the user in the image (uid, gid and Docker's groups), check and
 * create the working directory, write /etc/hostname, /etc/hosts and /etc/resolv.conf into the
 * bundle, complete the environment ({@link LaunchEnvironment}), build the OCI runtime spec
 * ({@link RuntimeSpecBuilder}), then have the runtime plugin create and start it under its monitor.
 * What each caller does around it stays with the caller: {@code run} joins networks between create
 * and start and records events; a build step follows the output and waits for the exit here
 * ({@link #awaitExit}, woken by the monitor's writes, not by polling).
 */
public final class ContainerLauncher {
    /** How long a wait sleeps when no file event came (a safety net: the monitor's writes wake it). */
    private static final long FALLBACK_SECONDS = 1;

    private final ContainerRuntime runtime;
    private final ObjectMapper mapper;

    public ContainerLauncher(ContainerRuntime runtime, ObjectMapper mapper) {
        this.runtime = runtime;
        this.mapper = mapper;
    }

    /**
     * A launch made ready: the bundle's files written and the runtime spec built; nothing runs yet.
     *
     * @param request what was asked
     * @param user    the resolved user
     * @param env     the process's environment
     * @param spec    the OCI runtime spec (config.json)
     * @param createdMountPoints the paths (absolute in the rootfs) this launch created for its mounts because the
     *                image lacked them, parents before children: a build step leaves them out of its layer,
     *                as Docker's builder never commits them
     */
    public record Prepared(LaunchRequest request, ImageUsers.Identity user, List<String> env, byte[] spec,
                           List<String> createdMountPoints) {
        public String id() {
            return request.id();
        }
    }

    /**
     * Resolves and writes everything the container needs, without running anything.
     *
     * @throws LaunchException (exit code 128) naming an unknown user or group, a bad working directory or a bad option
     */
    public Prepared prepare(LaunchRequest request) throws IOException {
        ImageUsers.Identity user;
        try {
            user = ImageUsers.resolve(request.rootfs(), request.user());
        } catch (IllegalArgumentException e) {
            throw new LaunchException(128, e.getMessage());
        }
        String cwd = workingDirectory(request.rootfs(), request.workingDir());
        Files.createDirectories(request.bundle());
        EtcFiles.write(request.bundle(), request.hostname(), request.hostNetwork(), request.etc(), List.of());
        List<RuntimeSpecInput.MountSpec> mounts = new ArrayList<>(EtcFiles.mounts(request.bundle()));
        mounts.addAll(request.mounts());
        List<String> createdMountPoints = createMountPoints(request.rootfs(), mounts);
        List<String> env = LaunchEnvironment.of(request.env(), request.hostname(), request.terminal(), user.home());
        RuntimeSpecInput input = new RuntimeSpecInput(request.id(), request.rootfs(), request.args(), env, cwd, user.uid(), user.gid(),
                LaunchEnvironment.groups(user, request.groupAdd()), request.hostname(), request.terminal(), request.readOnlyRootfs(),
                request.privileged(), request.capAdd(), request.capDrop(), request.hostNetwork(), request.memoryBytes(),
                request.nanoCpus(), request.pidsLimit(), "/berth/" + request.id(), mounts, request.sysctls(), request.security());
        try {
            return new Prepared(request, user, env, mapper.writeValueAsBytes(new RuntimeSpecBuilder(mapper).build(input)),
                    createdMountPoints);
        } catch (IllegalArgumentException e) {
            throw new LaunchException(128, e.getMessage());
        }
    }

    /**
     * The working directory, checked and created if missing (as Docker does at start).
     *
     * @throws LaunchException if it is relative or lies in /proc or /sys
     */
    static String workingDirectory(Path rootfs, String configured) throws IOException {
        String cwd = configured == null || configured.isEmpty() ? "/" : configured;
        if (!cwd.startsWith("/")) {
            throw new LaunchException(128, "the working directory '" + cwd + "' is invalid, it needs to be an absolute path");
        }
        if (cwd.equals("/proc") || cwd.startsWith("/proc/") || cwd.equals("/sys") || cwd.startsWith("/sys/")) {
            // a working directory in /proc or /sys can leak a host file descriptor into the container (CVE-2024-21626)
            throw new LaunchException(128, "the working directory '" + cwd + "' is refused: it lies in /proc or /sys");
        }
        Path onHost = RootfsPaths.resolve(rootfs, cwd);
        if (!Files.isDirectory(onHost)) {
            Files.createDirectories(onHost);
        }
        return cwd;
    }

    /** The kernel file systems every container gets on its root (the rest of /dev and /sys lies inside them). */
    private static final List<String> KERNEL_MOUNT_POINTS = List.of("/proc", "/dev", "/sys");

    /**
     * Makes every mount point the container needs on its root that the image lacks — the kernel file
     * systems', the /etc files' and the other mounts' (an empty file for a file bind, else a
     * directory, owned by root) — through {@link SafeRoot}, so a link in the image is followed only
     * inside its root. The runtime would make them too; making them here tells which are berth's.
     *
     * @return the paths created, parents before children
     */
    static List<String> createMountPoints(Path rootfs, List<RuntimeSpecInput.MountSpec> mounts) throws IOException {
        List<String> created = new ArrayList<>();
        try (SafeRoot root = SafeRoot.open(rootfs, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            for (String dir : KERNEL_MOUNT_POINTS) {
                createMountPoint(root, dir, true, created);
            }
            for (RuntimeSpecInput.MountSpec mount : mounts) {
                boolean directory = !mount.type().equals("bind") || Files.isDirectory(Path.of(mount.source()));
                createMountPoint(root, mount.destination(), directory, created);
            }
        }
        return List.copyOf(created);
    }

    private static void createMountPoint(SafeRoot root, String destination, boolean directory, List<String> created) throws IOException {
        String[] parts = destination.split("/");
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty() || parts[i].equals(".")) {
                continue;
            }
            path.append('/').append(parts[i]);
            String current = path.toString();
            if (root.lstat(current) != null) {
                continue; // there already; a link counts (the runtime mounts where it leads, inside the root)
            }
            boolean last = i == parts.length - 1;
            if (last && !directory) {
                root.create(current, 0644).close();
            } else {
                root.mkdir(current, 0755);
            }
            created.add(current);
        }
    }

    /** The runtime creates the container under its monitor; its process waits for {@link #start}. */
    public void create(Prepared prepared) throws IOException, ContainerRuntimeException {
        LaunchRequest r = prepared.request();
        Files.deleteIfExists(r.exitDirectory().resolve(r.id()));
        runtime.create(new ContainerSpec(r.id(), r.bundle(), r.rootfs(), prepared.spec(), r.log(), r.exitDirectory(),
                r.terminal(), r.openStdin()));
    }

    /** The created container's network namespace, for the networks to join. */
    public String networkNamespace(String id) throws ContainerRuntimeException {
        return "/proc/" + runtime.pid(id) + "/ns/net";
    }

    /** Rewrites /etc/hosts and /etc/resolv.conf (in place, so the mounts see it) once the container joined its networks. */
    public void joined(Prepared prepared, List<ContainerNetworks.Connected> networks) throws IOException {
        LaunchRequest r = prepared.request();
        if (!networks.isEmpty()) {
            EtcFiles.write(r.bundle(), r.hostname(), r.hostNetwork(), r.etc(), networks);
        }
    }

    /** Starts the created container's process. */
    public void start(String id) throws ContainerRuntimeException {
        runtime.start(id);
    }

    /** Reads what the process wrote so far; called whenever the monitor wrote something. */
    @FunctionalInterface
    public interface OutputFollower {
        void drain() throws IOException;
    }

    /**
     * Waits for the started container's exit, passing its output on as it comes: an inotify watch on
     * the monitor's log directory and exit directory wakes the wait at each write, so neither the
     * output nor the exit waits for a polling interval.
     */
    public ExitStatus awaitExit(Prepared prepared, OutputFollower output)
            throws IOException, ContainerRuntimeException, InterruptedException {
        LaunchRequest r = prepared.request();
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            r.exitDirectory().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            r.log().getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            while (true) {
                output.drain();
                Optional<ExitStatus> exit = runtime.exitStatus(r.id());
                if (exit.isPresent()) {
                    output.drain(); // the monitor writes the exit file after the last output
                    return exit.get();
                }
                WatchKey key = watch.poll(FALLBACK_SECONDS, TimeUnit.SECONDS);
                while (key != null) {
                    key.pollEvents();
                    key.reset();
                    key = watch.poll();
                }
            }
        }
    }

    /** Removes the container from the runtime (its monitor, state and cgroups); a failure is left to the runtime's reconcile. */
    public void deleteQuietly(String id) {
        try {
            runtime.delete(id, true);
        } catch (ContainerRuntimeException | RuntimeException e) {
            // what failed before (if anything) is what the caller reports; a leftover is freed at daemon start
        }
    }

    /** A launch refused before the runtime ran anything, with Docker's exit code for it. */
    public static final class LaunchException extends RuntimeException {
        private final int exitCode;

        public LaunchException(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }
}
