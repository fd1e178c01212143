package io.berth.engine.container;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything the OCI runtime spec of a container is made from, already resolved: the merged
 * configuration (image config, then the user's options), the user's numeric ids from the image's
 * /etc/passwd and /etc/group, and the host paths of its mounts.
 *
 * @param id              container id
 * @param rootfs          the mounted root filesystem
 * @param args            the process's argv: entrypoint + cmd, after Docker's precedence rules
 * @param env             environment, {@code KEY=value}, image first then the user's, PATH and HOSTNAME filled in
 * @param cwd             working directory (absolute)
 * @param uid             user id
 * @param gid             primary group id
 * @param additionalGids  supplementary groups (from /etc/group and {@code --group-add})
 * @param hostname        the container's hostname
 * @param terminal        allocate a pseudo-terminal ({@code -t})
 * @param readOnlyRootfs  {@code --read-only}
 * @param privileged      {@code --privileged}
 * @param capAdd          capabilities added ({@code CAP_} prefix optional, {@code ALL} allowed)
 * @param capDrop         capabilities dropped
 * @param hostNetwork     {@code --network host}: share the host's network namespace
 * @param memoryBytes     memory limit, 0 for none
 * @param nanoCpus        CPU limit in billionths of a CPU, 0 for none
 * @param pidsLimit       pids limit, 0 for none
 * @param cgroupsPath     the cgroup path the runtime creates for it
 * @param mounts          extra mounts in order (volumes, binds, tmpfs, /etc/hosts…)
 * @param sysctls         sysctls
 * @param security        seccomp profile, no-new-privileges and cgroup namespace ({@link SecurityOptions})
 */
public record RuntimeSpecInput(String id, Path rootfs, List<String> args, List<String> env, String cwd, int uid, int gid,
                               List<Integer> additionalGids, String hostname, boolean terminal, boolean readOnlyRootfs,
                               boolean privileged, List<String> capAdd, List<String> capDrop, boolean hostNetwork,
                               long memoryBytes, long nanoCpus, long pidsLimit, String cgroupsPath, List<MountSpec> mounts,
                               Map<String, String> sysctls, SecurityOptions security) {

    /**
     * A mount in the container.
     *
     * @param destination where in the container
     * @param type        {@code bind} or {@code tmpfs}
     * @param source      host path for binds, {@code tmpfs} otherwise
     * @param options     mount options ({@code rbind}, {@code ro}, {@code nosuid}, {@code size=…})
     */
    public record MountSpec(String destination, String type, String source, List<String> options) {}
}
