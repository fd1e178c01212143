package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.image.ImageService;
import io.berth.engine.journal.RequestContext;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.ImageLayer;
import io.berth.spi.ContainerRuntime;
import io.berth.spi.StorageDriver;
import io.berth.spi.runtime.CommandNotRunnableException;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.storage.Mount;
import io.berth.spi.storage.StorageException;
import io.berth.spi.fs.SafeRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starting a container, step by step: writable layer (snapshot of the image's top layer) →
 * overlay mount → volumes, binds and tmpfs → the launch core ({@link ContainerLauncher}: user,
 * working directory, /etc files, environment, runtime spec, create) → its networks joined → start
 * under the monitor → {@code ContainerStarted}. A failing step undoes the earlier ones and records
 * {@code ContainerStartFailed} with Docker's exit code (127 not found, 126 not executable).
 */
final class ContainerStarter {
    private final ContainerService containers;
    private final ObjectMapper mapper;

    ContainerStarter(ContainerService containers, ObjectMapper mapper) {
        this.containers = containers;
        this.mapper = mapper;
    }

    void start(ContainerState.ContainerRecord container, JsonNode stored, RequestContext context) {
        String id = container.id();
        JsonNode config = stored.path("Config");
        JsonNode host = stored.path("HostConfig");
        ContainerRuntime runtime = containers.runtime();
        StorageDriver storage = containers.storage();
        Path bundle = containers.bundle(id);
        boolean mounted = false;
        boolean created = false;
        try {
            ImageService.Image image = containers.images().find(container.imageId()).orElseThrow(() ->
                    ContainerException.notFound("No such image: " + container.imageId() + " (container " + container.name() + ")"));
            List<ImageLayer> layers = image.description().layers();
            String top = layers.isEmpty() ? null : layers.getLast().chainId();
            if (storage.snapshot(id).isEmpty()) {
                storage.prepare(id, top);
            }
            Mount mount = storage.mount(id);
            mounted = true;
            Path rootfs = mount.target();
            Files.createDirectories(bundle);

            String hostname = config.path("Hostname").asText(id.substring(0, 12));
            boolean hostNetwork = "host".equals(host.path("NetworkMode").asText(""));
            // container:NAME: NAME's namespace, and its hostname, /etc/hosts and /etc/resolv.conf, as Docker shares them
            ContainerState.ContainerRecord networkOwner = networkOwner(host);
            if (networkOwner != null) {
                hostname = containers.config(networkOwner).path("Config").path("Hostname").asText(networkOwner.id().substring(0, 12));
            }
            List<RuntimeSpecInput.MountSpec> mounts = new ArrayList<>();
            ArrayNode mountRecords = mapper.createArrayNode();
            addVolumes(container, config, host, rootfs, mounts, mountRecords, context);
            Files.writeString(bundle.resolve("mounts.json"), mountRecords.toString());

            List<Integer> groupAdd = new ArrayList<>();
            host.path("GroupAdd").forEach(g -> groupAdd.add(g.asInt()));
            Map<String, String> sysctls = new LinkedHashMap<>();
            host.path("Sysctls").fields().forEachRemaining(f -> sysctls.put(f.getKey(), f.getValue().asText()));
            List<String> capAdd = new ArrayList<>();
            host.path("CapAdd").forEach(c -> capAdd.add(c.asText()));
            List<String> capDrop = new ArrayList<>();
            host.path("CapDrop").forEach(c -> capDrop.add(c.asText()));
            List<String> args = ContainerConfigs.args(config);
            if (host.path("Init").asBoolean(false)) {
                args = withInit(args, rootfs, mounts);
            }
            SecurityOptions security;
            try {
                security = SecurityOptions.of(host, mapper);
            } catch (IllegalArgumentException e) {
                throw new ContainerLauncher.LaunchException(128, e.getMessage());
            }
            List<String> env = new ArrayList<>();
            config.path("Env").forEach(e -> env.add(e.asText()));
            boolean tty = config.path("Tty").asBoolean(false);
            LaunchRequest request = new LaunchRequest(id, rootfs, bundle, args, env, config.path("WorkingDir").asText(""),
                    config.path("User").asText(""), groupAdd, hostname, hostNetwork, EtcFiles.Settings.of(host), tty,
                    config.path("OpenStdin").asBoolean(false), host.path("ReadonlyRootfs").asBoolean(false),
                    host.path("Privileged").asBoolean(false), capAdd, capDrop, host.path("Memory").asLong(0),
                    host.path("NanoCpus").asLong(0), host.path("PidsLimit").asLong(0), mounts, sysctls, security,
                    containers.logPath(id), containers.exitDir());
            ContainerLauncher launcher = containers.launcher();
            ContainerLauncher.Prepared prepared = launcher.prepare(request);
            if (RuntimeSpecBuilder.hasExtraResources(host)) {
                prepared = withResources(prepared, host);
            }
            if (networkOwner != null) {
                prepared = joiningNetworkOf(prepared, networkOwner);
            }

            containers.expectExit(id);
            launcher.create(prepared);
            created = true;
            // the namespace exists from create on: join the networks before the program runs, then tell
            // /etc/hosts and /etc/resolv.conf (bind-mounted already, so rewritten in place) what it got
            launcher.joined(prepared, containers.networks().connect(id, container.name(), launcher.networkNamespace(id), stored, context));
            containers.attachments().connect(id, runtime);
            launcher.start(id);
            long pid = runtime.pid(id);
            containers.journal().record(context, new ContainerEvent.ContainerStarted(id, pid));
        } catch (ContainerLauncher.LaunchException e) {
            containers.attachments().fail(id, e);
            fail(container, e.exitCode(), e.getMessage(), created, mounted, context);
            throw ContainerException.invalid(e.getMessage());
        } catch (ContainerRuntimeException e) {
            containers.attachments().fail(id, e);
            int code = e instanceof CommandNotRunnableException notRunnable
                    ? notRunnable.exitCode() : exitCodeFor(e.getMessage());
            fail(container, code, e.getMessage(), created, mounted, context);
            throw code == 128 ? ContainerException.internal(e.getMessage()) : ContainerException.invalid(e.getMessage());
        } catch (IOException e) {
            containers.attachments().fail(id, e);
            fail(container, 128, e.getMessage(), created, mounted, context);
            throw ContainerException.internal("cannot start container " + container.name() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // a refusal of the network or image slice, or one of this slice
            containers.attachments().fail(id, e);
            fail(container, 128, e.getMessage(), created, mounted, context);
            throw e;
        }
    }

    /**
     * The container whose network namespace {@code container:NAME} joins, which must run; null for
     * any other network mode.
     */
    private ContainerState.ContainerRecord networkOwner(JsonNode host) {
        String target = ContainerService.networkContainer(host);
        if (target == null) {
            return null;
        }
        ContainerState.ContainerRecord owner = containers.find(target)
                .orElseThrow(() -> ContainerException.notFound("No such container: " + target));
        if (!owner.running() || owner.pid() <= 0 || !Files.exists(Path.of("/proc/" + owner.pid() + "/ns/net"))) {
            throw ContainerException.conflict("cannot join network of a non running container: " + owner.id());
        }
        return owner;
    }

    /**
     * The prepared spec changed for {@code container:NAME}: its network namespace is NAME's (a path
     * instead of a new one), and its /etc files are NAME's own files, bind-mounted.
     */
    private ContainerLauncher.Prepared joiningNetworkOf(ContainerLauncher.Prepared prepared, ContainerState.ContainerRecord owner)
            throws IOException {
        ObjectNode spec = (ObjectNode) mapper.readTree(prepared.spec());
        for (JsonNode ns : spec.path("linux").path("namespaces")) {
            if (ns.path("type").asText().equals("network")) {
                ((ObjectNode) ns).put("path", "/proc/" + owner.pid() + "/ns/net");
            }
        }
        Path ownBundle = prepared.request().bundle();
        Path ownerBundle = containers.bundle(owner.id());
        for (JsonNode mount : spec.path("mounts")) {
            for (String file : EtcFiles.NAMES) {
                if (mount.path("destination").asText().equals("/etc/" + file)
                        && mount.path("source").asText().equals(ownBundle.resolve(file).toString())) {
                    ((ObjectNode) mount).put("source", ownerBundle.resolve(file).toString());
                }
            }
        }
        return new ContainerLauncher.Prepared(prepared.request(), prepared.user(), prepared.env(), mapper.writeValueAsBytes(spec),
                prepared.createdMountPoints());
    }

    /** The resources beyond the launch request's (CPU shares and quota, cpusets, swap, reservation, block I/O weight). */
    private ContainerLauncher.Prepared withResources(ContainerLauncher.Prepared prepared, JsonNode host) throws IOException {
        ObjectNode spec = (ObjectNode) mapper.readTree(prepared.spec());
        RuntimeSpecBuilder.applyResources(spec, host);
        return new ContainerLauncher.Prepared(prepared.request(), prepared.user(), prepared.env(), mapper.writeValueAsBytes(spec),
                prepared.createdMountPoints());
    }

    /** Where {@code --init}'s program is mounted in the container (Docker's path for its docker-init). */
    static final String INIT_PATH = "/sbin/docker-init";
    /** Where the init is looked for on the host: tini's static build (Debian package tini), which runs on any image. */
    static final List<Path> INIT_CANDIDATES = List.of(Path.of("/usr/bin/tini-static"), Path.of("/usr/local/bin/tini-static"));

    /**
     * {@code --init}: tini, statically linked, bind-mounted read-only at {@link #INIT_PATH} and run as
     * the container's first process in front of its command ({@code docker-init -- ARGS}), as Docker does.
     */
    private static List<String> withInit(List<String> args, Path rootfs, List<RuntimeSpecInput.MountSpec> mounts) throws IOException {
        Path init = null;
        for (Path candidate : INIT_CANDIDATES) {
            if (Files.isExecutable(candidate)) {
                init = candidate;
                break;
            }
        }
        if (init == null) {
            throw new ContainerLauncher.LaunchException(128, "--init needs tini's static build on the host (Debian package tini): none of "
                    + INIT_CANDIDATES + " is there");
        }
        ensureMountPoint(rootfs, INIT_PATH, false);
        mounts.add(new RuntimeSpecInput.MountSpec(INIT_PATH, "bind", init.toString(), List.of("rbind", "ro", "rprivate")));
        List<String> withInit = new ArrayList<>(List.of(INIT_PATH, "--"));
        withInit.addAll(args);
        return withInit;
    }

    /** Docker's exit codes for a process that could not be executed. */
    static int exitCodeFor(String message) {
        String m = message == null ? "" : message.toLowerCase(java.util.Locale.ROOT);
        if (m.contains("executable file not found") || m.contains("no such file or directory")) {
            return 127;
        }
        if (m.contains("permission denied")) {
            return 126;
        }
        return 128;
    }

    private void fail(ContainerState.ContainerRecord container, int exitCode, String reason, boolean created, boolean mounted,
                      RequestContext context) {
        try {
            containers.networks().disconnect(container.id(), context);
        } catch (RuntimeException e) {
            // best effort: the failure below is what the user needs to see
        }
        if (created) {
            try {
                containers.runtime().delete(container.id(), true);
            } catch (ContainerRuntimeException | RuntimeException e) {
                // best effort: the failure below is what the user needs to see
            }
        }
        if (mounted) {
            try {
                containers.storage().unmount(container.id());
            } catch (StorageException | RuntimeException e) {
                // best effort
            }
        }
        containers.journal().record(context, new ContainerEvent.ContainerStartFailed(container.id(), exitCode,
                reason == null ? "start failed" : reason.lines().findFirst().orElse("start failed")));
    }

    private void addVolumes(ContainerState.ContainerRecord container, JsonNode config, JsonNode host, Path rootfs,
                            List<RuntimeSpecInput.MountSpec> mounts, ArrayNode records, RequestContext context) throws IOException {
        List<String> taken = new ArrayList<>();
        Map<String, String> previousAnonymous = new LinkedHashMap<>();
        for (JsonNode previous : containers.mountsOf(container)) {
            if (previous.path("Anonymous").asBoolean(false)) {
                previousAnonymous.put(previous.path("Destination").asText(), previous.path("Name").asText());
            }
        }
        for (JsonNode bindNode : host.path("Binds")) {
            BindSpec bind = BindSpec.parse(bindNode.asText());
            if (bind.volume()) {
                mountVolume(bind.source(), bind.destination(), bind.readOnly(), bind.noCopy(), false, rootfs, mounts, records, context);
            } else {
                Path source = Path.of(bind.source());
                if (!Files.exists(source)) {
                    // Docker creates a missing bind source as a directory
                    Files.createDirectories(source);
                }
                mounts.add(new RuntimeSpecInput.MountSpec(bind.destination(), "bind", source.toString(), bind.options()));
                ensureMountPoint(rootfs, bind.destination(), Files.isDirectory(source));
                records.add(record("bind", "", source.toString(), bind.destination(), !bind.readOnly(), false));
            }
            taken.add(bind.destination());
        }
        for (JsonNode mount : host.path("Mounts")) {
            String type = mount.path("Type").asText("volume");
            String target = mount.path("Target").asText("");
            if (target.isEmpty() || !target.startsWith("/")) {
                throw new ContainerLauncher.LaunchException(128, "invalid mount config: target must be an absolute path, got '" + target + "'");
            }
            boolean readOnly = mount.path("ReadOnly").asBoolean(false);
            switch (type) {
                case "bind" -> {
                    Path source = Path.of(mount.path("Source").asText(""));
                    if (!Files.exists(source)) {
                        throw new ContainerLauncher.LaunchException(128, "invalid mount config for type \"bind\": bind source path does not exist: " + source);
                    }
                    mounts.add(new RuntimeSpecInput.MountSpec(target, "bind", source.toString(),
                            List.of("rbind", readOnly ? "ro" : "rw", "rprivate")));
                    ensureMountPoint(rootfs, target, Files.isDirectory(source));
                    records.add(record("bind", "", source.toString(), target, !readOnly, false));
                }
                case "volume" -> mountVolume(mount.path("Source").asText(""), target, readOnly,
                        mount.path("VolumeOptions").path("NoCopy").asBoolean(false), false, rootfs, mounts, records, context);
                case "tmpfs" -> {
                    long size = mount.path("TmpfsOptions").path("SizeBytes").asLong(0);
                    List<String> options = new ArrayList<>(List.of("nosuid", "nodev", "noexec"));
                    if (size > 0) {
                        options.add("size=" + size);
                    }
                    mounts.add(new RuntimeSpecInput.MountSpec(target, "tmpfs", "tmpfs", options));
                    ensureMountPoint(rootfs, target, true);
                    records.add(record("tmpfs", "", "", target, true, false));
                }
                default -> throw new ContainerLauncher.LaunchException(128, "invalid mount config: unknown mount type \"" + type + "\"");
            }
            taken.add(target);
        }
        host.path("Tmpfs").fields().forEachRemaining(entry -> {
            List<String> options = new ArrayList<>(List.of("nosuid", "nodev", "noexec"));
            if (!entry.getValue().asText("").isEmpty()) {
                options.addAll(List.of(entry.getValue().asText().split(",")));
            }
            mounts.add(new RuntimeSpecInput.MountSpec(entry.getKey(), "tmpfs", "tmpfs", options));
            records.add(record("tmpfs", "", "", entry.getKey(), true, false));
            taken.add(entry.getKey());
        });
        // the image's VOLUMEs not covered above get anonymous volumes (the same ones again on a restart)
        var imageVolumes = config.path("Volumes").fieldNames();
        while (imageVolumes.hasNext()) {
            String destination = imageVolumes.next();
            if (taken.contains(destination)) {
                continue;
            }
            String name = previousAnonymous.getOrDefault(destination, null);
            mountVolume(name, destination, false, false, true, rootfs, mounts, records, context);
        }
    }

    private void mountVolume(String name, String destination, boolean readOnly, boolean noCopy, boolean anonymous, Path rootfs,
                             List<RuntimeSpecInput.MountSpec> mounts, ArrayNode records, RequestContext context) throws IOException {
        VolumeService.Created created = containers.volumes().create(name, Map.of(), anonymous || name == null || name.isEmpty(), context);
        Path data = Path.of(created.volume().mountpoint);
        if (!noCopy) {
            VolumeService.populate(data, rootfs, destination);
        }
        ensureMountPoint(rootfs, destination, true);
        // nodev: a device node a container (or an image) leaves in a volume opens no host device in the next one
        mounts.add(new RuntimeSpecInput.MountSpec(destination, "bind", data.toString(),
                List.of("rbind", "nodev", readOnly ? "ro" : "rw", "rprivate")));
        ObjectNode record = record("volume", created.volume().name, data.toString(), destination, !readOnly, created.volume().anonymous);
        record.put("Driver", "local");
        records.add(record);
    }

    /**
     * Creates the mount point inside the rootfs (a directory, or an empty file for a file bind),
     * through {@link SafeRoot}: a link in the container's files is followed only inside its root.
     */
    private static void ensureMountPoint(Path rootfs, String destination, boolean directory) throws IOException {
        try (SafeRoot root = SafeRoot.open(rootfs, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            if (root.stat(destination) != null) {
                return;
            }
            if (directory) {
                root.mkdirs(destination, 0755);
            } else {
                root.create(destination, 0644).close();
            }
        }
    }

    private ObjectNode record(String type, String name, String source, String destination, boolean rw, boolean anonymous) {
        ObjectNode record = mapper.createObjectNode();
        record.put("Type", type);
        if (!name.isEmpty()) {
            record.put("Name", name);
        }
        record.put("Source", source);
        record.put("Destination", destination);
        record.put("Mode", "");
        record.put("RW", rw);
        record.put("Propagation", type.equals("bind") ? "rprivate" : "");
        record.put("Anonymous", anonymous);
        return record;
    }

}
