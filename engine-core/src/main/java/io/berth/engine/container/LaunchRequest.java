package io.berth.engine.container;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One container to launch, as {@link ContainerLauncher} takes it from {@code run} (a container's
 * recorded configuration) and from a build's {@code RUN} (the stage's state). Each field says what
 * fills it when the caller leaves it empty.
 *
 * @param id             container id (a build step's key for RUN); the runtime's name for it
 * @param rootfs         its mounted root filesystem
 * @param bundle         the directory for its OCI bundle and its /etc files (created if missing)
 * @param args           the process's argv (entrypoint + cmd after Docker's precedence, or a RUN's shell and script)
 * @param env            the configured environment, {@code KEY=value}; PATH, HOSTNAME, TERM (with a terminal) and
 *                       HOME are filled in where missing ({@link LaunchEnvironment})
 * @param workingDir     absolute working directory; empty is {@code /}; created if missing; refused in /proc or /sys
 * @param user           {@code user[:group]} by name or id, resolved in the image's /etc/passwd and /etc/group; empty is root
 * @param groupAdd       {@code --group-add} ids, after the user's own groups
 * @param hostname       the container's hostname
 * @param hostNetwork    shares the host's network namespace (else it gets its own, joined to networks by the caller)
 * @param etc            what the user asked for in /etc/hosts and /etc/resolv.conf ({@link EtcFiles.Settings#NONE}: nothing)
 * @param terminal       allocate a pseudo-terminal
 * @param openStdin      keep stdin open for attach
 * @param readOnlyRootfs {@code --read-only}
 * @param privileged     {@code --privileged}
 * @param capAdd         capabilities added to Docker's defaults
 * @param capDrop        capabilities dropped from them
 * @param memoryBytes    memory limit, 0 for none
 * @param nanoCpus       CPU limit in billionths of a CPU, 0 for none
 * @param pidsLimit      pids limit, 0 for none
 * @param mounts         mounts besides the /etc files, in order (volumes, binds, tmpfs, a RUN's mounts)
 * @param sysctls        sysctls
 * @param security       seccomp profile, no-new-privileges and cgroup namespace
 * @param log            where the monitor writes the process's output
 * @param exitDirectory  where the monitor writes its exit file
 */
public record LaunchRequest(String id, Path rootfs, Path bundle, List<String> args, List<String> env, String workingDir,
                            String user, List<Integer> groupAdd, String hostname, boolean hostNetwork, EtcFiles.Settings etc,
                            boolean terminal, boolean openStdin, boolean readOnlyRootfs, boolean privileged,
                            List<String> capAdd, List<String> capDrop, long memoryBytes, long nanoCpus, long pidsLimit,
                            List<RuntimeSpecInput.MountSpec> mounts, Map<String, String> sysctls, SecurityOptions security,
                            Path log, Path exitDirectory) {

    /** Copies the lists. */
    public LaunchRequest {
        args = List.copyOf(args);
        env = List.copyOf(env);
        groupAdd = List.copyOf(groupAdd);
        capAdd = List.copyOf(capAdd);
        capDrop = List.copyOf(capDrop);
        mounts = List.copyOf(mounts);
        sysctls = Map.copyOf(sysctls);
    }

    /** The destinations of the mounts this launch adds to the rootfs: the /etc files, then {@link #mounts}. */
    public List<String> mountDestinations() {
        List<String> out = new java.util.ArrayList<>();
        EtcFiles.NAMES.forEach(name -> out.add("/etc/" + name));
        mounts.forEach(m -> out.add(m.destination()));
        return out;
    }
}
