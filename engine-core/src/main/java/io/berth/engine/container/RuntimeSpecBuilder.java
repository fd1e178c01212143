package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Builds a container's OCI runtime spec (config.json) the way Docker's defaults make it: Docker's
 * default capability set, masked and read-only /proc and /sys paths, /proc /dev /dev/pts /dev/shm
 * /dev/mqueue /sys mounts, namespaces pid, ipc, uts, mount and (unless {@code --network host})
 * network (and cgroup when asked), the default device rules, the seccomp profile
 * ({@link SeccompProfile}, relaxed for the container's capabilities) and the limits asked for. Pure: the same input gives the same
 * spec. ARCHITECTURE.md ("From image config to runtime spec") lists each default.
 */
public final class RuntimeSpecBuilder {
    /** Docker's default capabilities (moby oci/caps/defaults.go). */
    public static final List<String> DEFAULT_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID",
            "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    /** Every capability the kernel knows (for --privileged and --cap-add ALL). */
    public static final List<String> ALL_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
            "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
            "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
            "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
            "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    static final List<String> MASKED_PATHS = List.of("/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware", "/sys/devices/virtual/powercap");
    static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    private static final int HOST_KERNEL = SeccompProfile.hostKernel();

    private final ObjectMapper mapper;
    private final long maxOpenFiles;

    /** A builder giving containers Docker's 1048576 open files, or the daemon's own hard limit when that is lower. */
    public RuntimeSpecBuilder(ObjectMapper mapper) {
        this(mapper, Math.min(1048576, daemonHardNofile()));
    }

    public RuntimeSpecBuilder(ObjectMapper mapper, long maxOpenFiles) {
        this.mapper = mapper;
        this.maxOpenFiles = maxOpenFiles;
    }

    /** The hard RLIMIT_NOFILE of this process: a container cannot be given more than its parent has. */
    static long daemonHardNofile() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
                    return fields[1].equals("unlimited") ? 1048576 : Long.parseLong(fields[1]);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall through to a limit every kernel allows
        }
        return 1024;
    }

    /**
     * The capabilities a container gets: Docker's defaults (all of them when privileged), plus
     * {@code capAdd}, minus {@code capDrop}; {@code ALL} works in both.
     *
     * @throws IllegalArgumentException naming an unknown capability
     */
    public static List<String> capabilities(boolean privileged, List<String> capAdd, List<String> capDrop) {
        Set<String> caps = new LinkedHashSet<>(privileged ? ALL_CAPABILITIES : DEFAULT_CAPABILITIES);
        for (String add : capAdd) {
            String cap = normalise(add);
            if (cap.equals("CAP_ALL")) {
                caps.addAll(ALL_CAPABILITIES);
            } else {
                caps.add(cap);
            }
        }
        for (String drop : capDrop) {
            String cap = normalise(drop);
            if (cap.equals("CAP_ALL")) {
                caps.clear();
            } else {
                caps.remove(cap);
            }
        }
        return List.copyOf(caps);
    }

    private static String normalise(String capability) {
        String cap = capability.strip().toUpperCase(Locale.ROOT);
        if (!cap.startsWith("CAP_")) {
            cap = "CAP_" + cap;
        }
        if (!cap.equals("CAP_ALL") && !ALL_CAPABILITIES.contains(cap)) {
            throw new IllegalArgumentException("unknown capability: \"" + capability + "\"");
        }
        return cap;
    }

    public ObjectNode build(RuntimeSpecInput in) {
        ObjectNode spec = mapper.createObjectNode();
        spec.put("ociVersion", "1.0.2");

        ObjectNode process = spec.putObject("process");
        process.put("terminal", in.terminal());
        ObjectNode user = process.putObject("user");
        user.put("uid", in.uid());
        user.put("gid", in.gid());
        if (!in.additionalGids().isEmpty()) {
            ArrayNode gids = user.putArray("additionalGids");
            in.additionalGids().forEach(gids::add);
        }
        strings(process.putArray("args"), in.args());
        strings(process.putArray("env"), in.env());
        process.put("cwd", in.cwd());
        List<String> caps = capabilities(in.privileged(), in.capAdd(), in.capDrop());
        ObjectNode capabilities = process.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            strings(capabilities.putArray(set), caps);
        }
        ArrayNode rlimits = process.putArray("rlimits");
        ObjectNode nofile = rlimits.addObject();
        nofile.put("type", "RLIMIT_NOFILE");
        nofile.put("hard", maxOpenFiles);
        nofile.put("soft", maxOpenFiles);
        process.put("noNewPrivileges", in.security().noNewPrivileges());
        process.put("oomScoreAdj", 0);

        ObjectNode root = spec.putObject("root");
        root.put("path", in.rootfs().toString());
        root.put("readonly", in.readOnlyRootfs());
        spec.put("hostname", in.hostname());

        ArrayNode mounts = spec.putArray("mounts");
        mount(mounts, "/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev"));
        mount(mounts, "/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
        mount(mounts, "/dev/pts", "devpts", "devpts", List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
        mount(mounts, "/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", in.privileged() ? "rw" : "ro"));
        mount(mounts, "/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", in.privileged() ? "rw" : "ro"));
        mount(mounts, "/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev"));
        mount(mounts, "/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=67108864"));
        for (RuntimeSpecInput.MountSpec extra : in.mounts()) {
            mount(mounts, extra.destination(), extra.type(), extra.source(), extra.options());
        }

        ObjectNode linux = spec.putObject("linux");
        if (!in.sysctls().isEmpty()) {
            ObjectNode sysctl = linux.putObject("sysctl");
            in.sysctls().forEach(sysctl::put);
        }
        ObjectNode resources = linux.putObject("resources");
        ArrayNode devices = resources.putArray("devices");
        if (in.privileged()) {
            device(devices, true, null, -1, -1, "rwm");
        } else {
            device(devices, false, null, -1, -1, "rwm");
            // Docker's default allowed devices: null, zero, full, random, urandom, tty, console, ptmx, pts
            device(devices, true, "c", 1, 3, "rwm");
            device(devices, true, "c", 1, 5, "rwm");
            device(devices, true, "c", 1, 7, "rwm");
            device(devices, true, "c", 1, 8, "rwm");
            device(devices, true, "c", 1, 9, "rwm");
            device(devices, true, "c", 5, 0, "rwm");
            device(devices, true, "c", 5, 1, "rwm");
            device(devices, true, "c", 5, 2, "rwm");
            device(devices, true, "c", 136, -1, "rwm");
            device(devices, true, "c", 10, 200, "rwm");
        }
        if (in.memoryBytes() > 0) {
            ObjectNode memory = resources.putObject("memory");
            memory.put("limit", in.memoryBytes());
            memory.put("swap", in.memoryBytes() * 2);
        }
        if (in.nanoCpus() > 0) {
            ObjectNode cpu = resources.putObject("cpu");
            long period = 100_000;
            cpu.put("period", period);
            cpu.put("quota", in.nanoCpus() * period / 1_000_000_000L);
        }
        if (in.pidsLimit() > 0) {
            resources.putObject("pids").put("limit", in.pidsLimit());
        }
        linux.put("cgroupsPath", in.cgroupsPath());
        ArrayNode namespaces = linux.putArray("namespaces");
        for (String ns : in.hostNetwork() ? List.of("pid", "ipc", "uts", "mount") : List.of("pid", "ipc", "uts", "mount", "network")) {
            namespaces.addObject().put("type", ns);
        }
        if (in.security().privateCgroupNamespace()) {
            namespaces.addObject().put("type", "cgroup");
        }
        if (in.security().seccomp() != null) {
            // the rules a capability unlocks follow the container's final bounding set, as Docker's do
            linux.set("seccomp", seccomp(in.security().seccomp(), caps));
        }
        if (!in.privileged()) {
            strings(linux.putArray("maskedPaths"), MASKED_PATHS);
            strings(linux.putArray("readonlyPaths"), READONLY_PATHS);
        }
        return spec;
    }

    /** The default profile's OCI form per capability set: the same for almost every container, so made once. */
    private static final java.util.Map<List<String>, ObjectNode> DEFAULT_SECCOMP = new java.util.concurrent.ConcurrentHashMap<>();

    private ObjectNode seccomp(SeccompProfile profile, List<String> caps) {
        if (profile != SeccompProfile.defaults()) {
            return profile.toOci(mapper, caps, SeccompProfile.hostArch(), HOST_KERNEL);
        }
        if (DEFAULT_SECCOMP.size() > 64) {
            DEFAULT_SECCOMP.clear(); // a bound, for a daemon that sees many different --cap-add sets
        }
        // shared between specs: only ever serialised, never changed
        return DEFAULT_SECCOMP.computeIfAbsent(List.copyOf(caps),
                c -> SeccompProfile.defaults().toOci(mapper, c, SeccompProfile.hostArch(), HOST_KERNEL));
    }

    private static void mount(ArrayNode mounts, String destination, String type, String source, List<String> options) {
        ObjectNode mount = mounts.addObject();
        mount.put("destination", destination);
        mount.put("type", type);
        mount.put("source", source);
        strings(mount.putArray("options"), new ArrayList<>(options));
    }

    private static void device(ArrayNode devices, boolean allow, String type, long major, long minor, String access) {
        ObjectNode device = devices.addObject();
        device.put("allow", allow);
        if (type != null) {
            device.put("type", type);
        }
        if (major >= 0) {
            device.put("major", major);
        }
        if (minor >= 0) {
            device.put("minor", minor);
        }
        device.put("access", access);
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    /**
     * Writes the resource fields of Docker's {@code HostConfig} that {@link RuntimeSpecInput} does not carry
     * into {@code linux.resources}: {@code CpuShares}, {@code CpuQuota}/{@code CpuPeriod} (unless
     * {@code NanoCpus} set them), {@code CpusetCpus}, {@code CpusetMems}, {@code MemorySwap},
     * {@code MemoryReservation} and {@code BlkioWeight}, as set at create or by {@code update}.
     */
    /** Whether {@code host} asks for a resource {@link #applyResources} sets (most containers ask for none). */
    static boolean hasExtraResources(JsonNode host) {
        for (String field : new String[] {"CpuShares", "CpuQuota", "CpuPeriod", "MemorySwap", "MemoryReservation", "BlkioWeight"}) {
            if (host.path(field).asLong(0) != 0) {
                return true;
            }
        }
        return !host.path("CpusetCpus").asText("").isEmpty() || !host.path("CpusetMems").asText("").isEmpty();
    }

    static void applyResources(ObjectNode spec, JsonNode host) {
        ObjectNode resources = (ObjectNode) spec.path("linux").path("resources");
        if (resources.isMissingNode()) {
            return;
        }
        long shares = host.path("CpuShares").asLong(0);
        long quota = host.path("CpuQuota").asLong(0);
        long period = host.path("CpuPeriod").asLong(0);
        String cpus = host.path("CpusetCpus").asText("");
        String mems = host.path("CpusetMems").asText("");
        if (shares > 0 || (host.path("NanoCpus").asLong(0) == 0 && (quota != 0 || period > 0)) || !cpus.isEmpty() || !mems.isEmpty()) {
            ObjectNode cpu = resources.has("cpu") ? (ObjectNode) resources.get("cpu") : resources.putObject("cpu");
            if (shares > 0) {
                cpu.put("shares", shares);
            }
            if (host.path("NanoCpus").asLong(0) == 0) {
                if (quota != 0) {
                    cpu.put("quota", quota);
                }
                if (period > 0) {
                    cpu.put("period", period);
                }
            }
            if (!cpus.isEmpty()) {
                cpu.put("cpus", cpus);
            }
            if (!mems.isEmpty()) {
                cpu.put("mems", mems);
            }
        }
        long memory = host.path("Memory").asLong(0);
        long swap = host.path("MemorySwap").asLong(0);
        long reservation = host.path("MemoryReservation").asLong(0);
        if (memory > 0 && swap != 0 || reservation > 0) {
            ObjectNode m = resources.has("memory") ? (ObjectNode) resources.get("memory") : resources.putObject("memory");
            if (memory > 0 && swap != 0) {
                m.put("swap", swap); // -1: unlimited swap, as Docker's --memory-swap -1
            }
            if (reservation > 0) {
                m.put("reservation", reservation);
            }
        }
        long weight = host.path("BlkioWeight").asLong(0);
        if (weight > 0) {
            resources.putObject("blockIO").put("weight", weight);
        }
    }
}
