package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.image.ImageService;
import io.berth.spi.StorageDriver;
import io.berth.spi.fs.SafeFsException;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A container's filesystem as its processes see it, for copies and {@code diff}: the view of a running or stopped
 * container, the changes of its writable layer against its image, and the volumes and binds a copy meets.
 */
final class ContainerRootfs {
    private static final System.Logger LOG = System.getLogger("berth.containers");

    private final ContainerService containers;
    private final ContainerGuards guards;
    private final ObjectMapper mapper;

    ContainerRootfs(ContainerService containers, ContainerGuards guards, ObjectMapper mapper) {
        this.containers = containers;
        this.guards = guards;
        this.mapper = mapper;
    }

    /**
     * Runs {@code task} on the container's filesystem as its processes see it ({@link ContainerView}): a
     * running container's own mount tree; else its root filesystem with its volumes and binds, mounted for
     * the time of the task (and prepared first for a container never started: Docker lets cp fill a created
     * container). A stopped container is held under its lifecycle lock meanwhile, so no start changes it.
     */
    <T> T withView(String idOrName, ContainerService.ViewTask<T> task) throws IOException {
        ContainerState.ContainerRecord container = containers.require(idOrName);
        if (container.running() && container.pid() > 0) {
            ContainerView view = ContainerView.running(container.pid());
            SafeRoot root = null;
            try {
                root = SafeRoot.open(view.root(), SafeRoot.Symlinks.FOLLOW_IN_ROOT);
            } catch (SafeFsException e) {
                // it ended meanwhile: reached below as a stopped container
            }
            if (root != null) {
                try (SafeRoot opened = root) {
                    if (ContainerView.belongsTo(container.pid(), container.id())) {
                        return ContainerFiles.answering(task, opened);
                    }
                }
            }
        }
        synchronized (guards.lock(container.id())) {
            ContainerState.ContainerRecord now = containers.require(container.id());
            if (now.running()) {
                throw ContainerException.conflict("container " + now.name() + " started during the copy: try again");
            }
            StorageDriver storage = containers.storage();
            boolean mountedHere = false;
            try {
                if (storage.snapshot(now.id()).isEmpty()) {
                    ImageService.Image image = containers.images().find(now.imageId()).orElseThrow(() ->
                            ContainerException.notFound("No such image: " + now.imageId() + " (container " + now.name() + ")"));
                    var layers = image.description().layers();
                    storage.prepare(now.id(), layers.isEmpty() ? null : layers.getLast().chainId());
                }
                var snapshot = storage.snapshot(now.id()).orElseThrow(() ->
                        ContainerException.internal("container " + now.name() + " has no filesystem"));
                Path rootfs = snapshot.rootfs();
                if (!snapshot.mounted()) {
                    rootfs = storage.mount(now.id()).target();
                    mountedHere = true;
                }
                try (ContainerView view = ContainerView.assemble(rootfs, copyMounts(now));
                     SafeRoot root = SafeRoot.open(view.root(), SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
                    return ContainerFiles.answering(task, root);
                }
            } catch (StorageException e) {
                throw ContainerException.internal("cannot reach the filesystem of " + now.name() + ": " + e.getMessage());
            } finally {
                if (mountedHere) {
                    try {
                        storage.unmount(now.id());
                    } catch (StorageException e) {
                        LOG.log(System.Logger.Level.WARNING, "unmount of " + now.id() + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    /**
     * Docker's {@code diff}: what the container changed in its image's filesystem, as
     * {@code [{Path, Kind}]} with Kind 0 modified, 1 added, 2 deleted. Read from the storage driver's
     * diff of the writable layer; whether a path is new is checked against a read-only view of the image.
     */
    List<Map<String, Object>> changes(String idOrName) throws IOException {
        ContainerState.ContainerRecord container = containers.require(idOrName);
        StorageDriver storage = containers.storage();
        try {
            if (storage.snapshot(container.id()).isEmpty()) {
                return List.of();
            }
        } catch (StorageException e) {
            throw ContainerException.internal("cannot read the changes of " + container.name() + ": " + e.getMessage());
        }
        ImageService.Image image = containers.images().find(container.imageId()).orElseThrow(() -> ContainerException.notFound("No such image: " + container.imageId()));
        var layers = image.description().layers();
        String view = "changes-" + container.id().substring(0, 12) + "-" + Long.toHexString(System.nanoTime());
        List<Map<String, Object>> changes = new ArrayList<>();
        try {
            storage.prepare(view, layers.isEmpty() ? null : layers.getLast().chainId());
            Path lower = storage.mount(view).target();
            // the driver's diff tar is read as the driver writes it, through a pipe: only headers are kept,
            // file contents pass by (a container may have written gigabytes; they were buffered whole before)
            java.io.PipedInputStream piped = new java.io.PipedInputStream(1 << 20);
            java.io.PipedOutputStream into = new java.io.PipedOutputStream(piped);
            Exception[] diffFailure = {null};
            Thread writer = Thread.ofVirtual().name("changes-" + container.id().substring(0, 12)).start(() -> {
                try (into) {
                    storage.diff(container.id(), into);
                } catch (IOException | RuntimeException e) {
                    diffFailure[0] = e;
                }
            });
            try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(skippingInBlocks(piped))) {
                org.apache.commons.compress.archivers.tar.TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    String name = entry.getName().replaceAll("/+$", "");
                    if (name.isEmpty() || name.endsWith(".wh..wh..opq")) {
                        continue;
                    }
                    int slash = name.lastIndexOf('/');
                    String file = name.substring(slash + 1);
                    if (file.startsWith(".wh.")) {
                        changes.add(Map.of("Path", "/" + name.substring(0, slash + 1) + file.substring(4), "Kind", 2));
                    } else {
                        boolean existed = Files.exists(lower.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS);
                        changes.add(Map.of("Path", "/" + name, "Kind", existed ? 0 : 1));
                    }
                }
                piped.transferTo(java.io.OutputStream.nullOutputStream()); // the padding after the end marker: let the writer finish
            } finally {
                piped.close(); // a writer still writing (the read failed) gets an error instead of waiting
                ContainerWaits.joinUninterruptibly(writer);
            }
            if (diffFailure[0] != null) {
                throw ContainerException.internal("cannot read the changes of " + container.name() + ": " + diffFailure[0].getMessage());
            }
        } catch (StorageException e) {
            throw ContainerException.internal("cannot compare " + container.name() + " with its image: " + e.getMessage());
        } finally {
            try {
                storage.removeSnapshot(view);
            } catch (StorageException e) {
                LOG.log(System.Logger.Level.WARNING, "temporary snapshot " + view + " left: " + e.getMessage());
            }
        }
        return changes;
    }

    /** Skips by reading 64 KiB at a time (InputStream's own skip reads 2 KiB per call, slow through a pipe). */
    private static java.io.InputStream skippingInBlocks(java.io.InputStream in) {
        return new java.io.FilterInputStream(in) {
            private final byte[] scratch = new byte[1 << 16];

            @Override
            public long skip(long n) throws IOException {
                long skipped = 0;
                while (skipped < n) {
                    int read = in.read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
                    if (read < 0) {
                        break;
                    }
                    skipped += read;
                }
                return skipped;
            }
        };
    }


    /**
     * Docker's checks before a copy into a container: a destination inside a read-only volume or bind is
     * refused ("mounted volume is marked read-only"), and one outside every volume and bind of a container
     * with a read-only root filesystem ("container rootfs is marked read-only"), whether it runs or not.
     *
     * @param resolved the destination directory, resolved inside the container's view
     */
    void checkCopyTarget(String idOrName, String resolved) {
        ContainerState.ContainerRecord container = containers.require(idOrName);
        JsonNode best = null;
        int bestLength = -1;
        for (JsonNode m : copyMounts(container)) {
            String type = m.path("Type").asText("");
            String destination = ContainerPaths.clean(m.path("Destination").asText("/"));
            boolean inside = resolved.equals(destination) || resolved.startsWith(destination.equals("/") ? "/" : destination + "/");
            if ((type.equals("volume") || type.equals("bind")) && inside && destination.length() > bestLength) {
                best = m;
                bestLength = destination.length();
            }
        }
        if (best != null) {
            if (!best.path("RW").asBoolean(true)) {
                throw ContainerException.invalid("mounted volume is marked read-only: " + best.path("Destination").asText());
            }
            return;
        }
        if (containers.config(container).path("HostConfig").path("ReadonlyRootfs").asBoolean(false)) {
            throw ContainerException.invalid("container rootfs is marked read-only");
        }
    }

    /**
     * The volumes and binds a copy sees in a container that is not running: those of its last start, or for
     * one never started, the binds and the named volumes that already exist among those it asks for (the
     * others are made at its first start), in the shape of its {@code Mounts}.
     */
    JsonNode copyMounts(ContainerState.ContainerRecord container) {
        if (Files.exists(containers.bundle(container.id()).resolve("mounts.json"))) {
            return mountsOf(container);
        }
        var planned = mapper.createArrayNode();
        JsonNode host = containers.config(container).path("HostConfig");
        for (JsonNode bindNode : host.path("Binds")) {
            BindSpec bind;
            try {
                bind = BindSpec.parse(bindNode.asText());
            } catch (IllegalArgumentException e) {
                continue;
            }
            String source = bind.volume() ? containers.volumes().find(bind.source()).map(v -> v.mountpoint).orElse(null) : bind.source();
            plan(planned, source, bind.destination(), !bind.readOnly());
        }
        for (JsonNode mount : host.path("Mounts")) {
            String type = mount.path("Type").asText("volume");
            String source = mount.path("Source").asText("");
            if (type.equals("volume")) {
                source = source.isEmpty() ? null : containers.volumes().find(source).map(v -> v.mountpoint).orElse(null);
            } else if (!type.equals("bind")) {
                continue;
            }
            plan(planned, source, mount.path("Target").asText(""), !mount.path("ReadOnly").asBoolean(false));
        }
        return planned;
    }

    private static void plan(com.fasterxml.jackson.databind.node.ArrayNode planned, String source, String destination, boolean rw) {
        if (source == null || source.isEmpty() || destination.isEmpty()) {
            return;
        }
        ObjectNode m = planned.addObject();
        m.put("Type", "bind");
        m.put("Source", source);
        m.put("Destination", destination);
        m.put("RW", rw);
    }

    /** The mounts a container was started with (written into its bundle by the starter). */
    JsonNode mountsOf(ContainerState.ContainerRecord container) {
        Path file = containers.bundle(container.id()).resolve("mounts.json");
        try {
            return Files.exists(file) ? mapper.readTree(file.toFile()) : mapper.createArrayNode();
        } catch (IOException e) {
            return mapper.createArrayNode();
        }
    }

    boolean usesVolume(ContainerState.ContainerRecord container, String volume) {
        for (JsonNode mount : mountsOf(container)) {
            if (volume.equals(mount.path("Name").asText(""))) {
                return true;
            }
        }
        return false;
    }
}
