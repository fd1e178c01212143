package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's {@code HostConfig.SecurityOpt}, {@code Privileged} and {@code CgroupnsMode} read as
 * Docker reads them: {@code seccomp=unconfined}, {@code seccomp=builtin} (the default), {@code seccomp=PROFILE} (the profile's JSON itself:
 * Docker's CLI reads the file and sends its content), {@code no-new-privileges[=true|false]}; a
 * {@code :} is accepted for {@code =} as Docker still does. {@code label=…} and {@code apparmor=…}
 * are accepted and have no effect (this host has neither SELinux nor AppArmor in use).
 *
 * @param seccomp               the profile to apply, {@code null} for none (unconfined or privileged)
 * @param noNewPrivileges       the OCI process's {@code noNewPrivileges}
 * @param privateCgroupNamespace the container gets its own cgroup namespace
 */
public record SecurityOptions(SeccompProfile seccomp, boolean noNewPrivileges, boolean privateCgroupNamespace) {

    /** What a container gets when nothing is asked: Docker's default profile, the daemon's cgroup namespace default. */
    public static SecurityOptions defaults() {
        return new SecurityOptions(SeccompProfile.defaults(), false, privateCgroupNamespaceByDefault());
    }

    /**
     * Docker's default cgroup namespace mode: {@code private} where the host has cgroup v2 alone
     * (unified), {@code host} on cgroup v1 and hybrid hosts, as dockerd decides it.
     */
    public static String defaultCgroupnsMode() {
        return privateCgroupNamespaceByDefault() ? "private" : "host";
    }

    private static boolean privateCgroupNamespaceByDefault() {
        // on a unified host /sys/fs/cgroup is itself cgroup2 and lists its controllers there
        return Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
    }

    /**
     * Reads a stored or requested HostConfig.
     *
     * @throws IllegalArgumentException one line naming the option at fault
     */
    public static SecurityOptions of(JsonNode host, ObjectMapper mapper) {
        boolean privileged = host.path("Privileged").asBoolean(false);
        SeccompProfile seccomp = SeccompProfile.defaults();
        boolean noNewPrivileges = false;
        for (String option : list(host.path("SecurityOpt"))) {
            String[] kv = split(option);
            switch (kv[0]) {
                case "seccomp" -> {
                    if (kv[1] == null || kv[1].isEmpty()) {
                        throw invalid(option);
                    }
                    if (kv[1].equals("unconfined")) {
                        seccomp = null;
                    } else if (kv[1].equals("builtin")) {
                        seccomp = SeccompProfile.defaults(); // Docker's name for the daemon's default profile
                    } else if (kv[1].strip().startsWith("{")) {
                        seccomp = SeccompProfile.parseDocker(kv[1], mapper);
                    } else {
                        throw new IllegalArgumentException("invalid --security-opt seccomp=" + kv[1]
                                + ": give \"unconfined\", \"builtin\" or the profile's JSON (the CLI reads a profile file and sends its content)");
                    }
                }
                case "no-new-privileges" -> {
                    if (kv[1] == null || kv[1].equals("true")) {
                        noNewPrivileges = true;
                    } else if (kv[1].equals("false")) {
                        noNewPrivileges = false;
                    } else {
                        throw new IllegalArgumentException("invalid --security-opt " + option + ": no-new-privileges takes true or false");
                    }
                }
                case "label", "apparmor" -> {
                    if (kv[1] == null) {
                        throw invalid(option);
                    }
                }
                default -> throw invalid(option);
            }
        }
        String cgroupns = host.path("CgroupnsMode").asText("");
        boolean privateCgroup = switch (cgroupns) {
            case "" -> privateCgroupNamespaceByDefault();
            case "private" -> true;
            case "host" -> false;
            default -> throw new IllegalArgumentException("invalid cgroup namespace mode \"" + cgroupns
                    + "\": only \"private\" and \"host\" are supported");
        };
        // --privileged turns seccomp off altogether, whatever profile was asked for, as in Docker
        return new SecurityOptions(privileged ? null : seccomp, noNewPrivileges, privateCgroup);
    }

    private static IllegalArgumentException invalid(String option) {
        String shown = option.length() > 60 ? option.substring(0, 60) + "…" : option;
        return new IllegalArgumentException("invalid --security-opt \"" + shown
                + "\": use seccomp=unconfined|builtin|PROFILE-JSON, no-new-privileges[=true|false], label=… or apparmor=…");
    }

    /** {@code key=value} or {@code key:value} (Docker's older separator); a bare key has a null value. */
    private static String[] split(String option) {
        int eq = option.indexOf('=');
        int colon = option.indexOf(':');
        int at = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
        if (at < 0) {
            return new String[] {option, null};
        }
        return new String[] {option.substring(0, at), option.substring(at + 1)};
    }

    private static List<String> list(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
