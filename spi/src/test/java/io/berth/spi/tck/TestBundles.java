package io.berth.spi.tck;

import io.berth.spi.runtime.ContainerSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * OCI bundles for the runtime conformance kit, made from the host's statically linked busybox
 * (Debian package {@code busybox-static}) so no image store and no overlay are needed:
 *
 * <pre>
 * DIR/ID/bundle/config.json      written by the runtime under test (the kit hands it the bytes)
 * DIR/ID/bundle/rootfs/bin/busybox and a symlink per applet; proc, sys, dev, tmp, etc
 * DIR/ID/container.log           the log path
 * DIR/exits/                     the exit directory, shared
 * </pre>
 *
 * The config is minimal but complete: pid, ipc, uts, mount and network namespaces; /proc, a tmpfs
 * /dev with /dev/pts, /dev/shm and /dev/mqueue, a read-only /sys; Docker's default capabilities;
 * Docker's masked and read-only paths; {@code cgroupsPath} {@code /berth-test/ID}.
 */
public final class TestBundles {

    /** The cgroup parent of every kit container: {@code /berth-test/<id>} in each hierarchy. */
    public static final String CGROUP_PARENT = "berth-test";

    /** Docker's default capability set (moby oci/caps/defaults.go). */
    public static final List<String> DEFAULT_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID",
            "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    private static final List<String> MASKED = List.of("/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware");
    private static final List<String> READ_ONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");
    private static final List<Path> BUSYBOX_CANDIDATES = List.of(Path.of("/bin/busybox"), Path.of("/usr/bin/busybox"));

    private static volatile List<String> applets;

    private TestBundles() {
    }

    /**
     * Starts a bundle for a container.
     *
     * @param directory where bundles go (the kit passes {@code <tempDir>/containers})
     * @param id        the container id
     * @return a builder; {@link Builder#build()} writes the root filesystem
     */
    public static Builder busybox(Path directory, String id) {
        return new Builder(directory.toAbsolutePath(), id);
    }

    /** @return the host's busybox, failing with what to install if there is none */
    public static Path busyboxBinary() {
        for (Path candidate : BUSYBOX_CANDIDATES) {
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("the runtime conformance kit needs a static busybox at /bin/busybox: "
                + "install the Debian package busybox-static");
    }

    private static List<String> applets() throws IOException {
        List<String> known = applets;
        if (known == null) {
            Process p = new ProcessBuilder(busyboxBinary().toString(), "--list").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while listing busybox applets", e);
            }
            known = out.lines().map(String::strip).filter(l -> l.matches("[A-Za-z0-9_.\\[-]+")).toList();
            applets = known;
        }
        return known;
    }

    /** What goes into one bundle. */
    public static final class Builder {
        private final Path directory;
        private final String id;
        private List<String> args = List.of("true");
        private boolean terminal;
        private boolean openStdin;
        private long memoryLimit;
        private boolean pidNamespace = true;

        private Builder(Path directory, String id) {
            this.directory = directory;
            this.id = Objects.requireNonNull(id, "id");
        }

        /** @param arguments the program and its arguments (default {@code true}) */
        public Builder args(String... arguments) {
            this.args = List.of(arguments);
            return this;
        }

        /** @param value give the process a pseudo-terminal (sets {@code process.terminal} too) */
        public Builder terminal(boolean value) {
            this.terminal = value;
            return this;
        }

        /** @param value keep standard input open for attaching */
        public Builder openStdin(boolean value) {
            this.openStdin = value;
            return this;
        }

        /** @param bytes memory limit, swap included (Docker's {@code --memory N --memory-swap N}); 0 for none */
        public Builder memoryLimit(long bytes) {
            this.memoryLimit = bytes;
            return this;
        }

        /**
         * @param value give the container its own pid namespace (default). Without one its first
         *              process is not a namespace's init, so a signal it does not handle (SIGTERM)
         *              ends it, as behind {@code docker run --init}
         */
        public Builder pidNamespace(boolean value) {
            this.pidNamespace = value;
            return this;
        }

        /** @return the container directory, {@code DIR/ID} */
        public Path containerDirectory() {
            return directory.resolve(id);
        }

        /**
         * Writes the root filesystem and returns the spec; the config goes in the spec, not on disk.
         *
         * @return the spec to create the container with
         */
        public ContainerSpec build() {
            try {
                Path container = Files.createDirectories(containerDirectory());
                Path bundle = Files.createDirectories(container.resolve("bundle"));
                Path rootfs = Files.createDirectories(bundle.resolve("rootfs"));
                Path bin = Files.createDirectories(rootfs.resolve("bin"));
                Files.copy(busyboxBinary(), bin.resolve("busybox"));
                for (String applet : applets()) {
                    if (!applet.equals("busybox")) {
                        Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
                    }
                }
                for (String dir : List.of("proc", "sys", "dev", "tmp", "etc", "root")) {
                    Files.createDirectories(rootfs.resolve(dir));
                }
                Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
                Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n");
                Path exits = Files.createDirectories(directory.resolve("exits"));
                byte[] config = config(rootfs).getBytes(StandardCharsets.UTF_8);
                return new ContainerSpec(id, bundle, rootfs, config, container.resolve("container.log"), exits, terminal, openStdin);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the bundle of container " + id + " under " + directory, e);
            }
        }

        private String config(Path rootfs) {
            List<String> namespaces = new ArrayList<>();
            if (pidNamespace) {
                namespaces.add("pid");
            }
            namespaces.addAll(List.of("ipc", "uts", "mount", "network"));
            String caps = strings(DEFAULT_CAPABILITIES);
            String memory = memoryLimit > 0
                    ? ", \"memory\": {\"limit\": " + memoryLimit + ", \"swap\": " + memoryLimit + "}"
                    : "";
            return """
                    {
                      "ociVersion": "1.0.2",
                      "process": {
                        "terminal": %s,
                        "user": {"uid": 0, "gid": 0},
                        "args": %s,
                        "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=berth-test"%s],
                        "cwd": "/",
                        "capabilities": {"bounding": %s, "effective": %s, "permitted": %s},
                        "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
                        "noNewPrivileges": false
                      },
                      "root": {"path": %s, "readonly": false},
                      "hostname": "berth-test",
                      "mounts": [
                        {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
                        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
                        {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
                        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=67108864"]},
                        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
                        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
                      ],
                      "linux": {
                        "cgroupsPath": %s,
                        "resources": {"devices": [{"allow": false, "access": "rwm"}]%s},
                        "namespaces": [%s],
                        "maskedPaths": %s,
                        "readonlyPaths": %s
                      }
                    }
                    """.formatted(terminal, strings(args), terminal ? ", \"TERM=xterm\"" : "", caps, caps, caps,
                    quote(rootfs.toString()), quote("/" + CGROUP_PARENT + "/" + id), memory,
                    namespaces.stream().map(n -> "{\"type\": " + quote(n) + "}").collect(Collectors.joining(", ")),
                    strings(MASKED), strings(READ_ONLY));
        }
    }

    /** @return a JSON array of the strings */
    static String strings(List<String> values) {
        return values.stream().map(TestBundles::quote).collect(Collectors.joining(", ", "[", "]"));
    }

    /** @return the string as a JSON string literal */
    static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
