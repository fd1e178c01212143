package io.berth.engine.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.berth.engine.container.ContainerLauncher;
import io.berth.engine.container.ContainerNetworks;
import io.berth.engine.journal.RequestContext;
import io.berth.engine.container.EtcFiles;
import io.berth.engine.container.LaunchRequest;
import io.berth.engine.container.RuntimeSpecInput;
import io.berth.engine.container.SecurityOptions;
import io.berth.engine.content.ContentStore;
import io.berth.eventlog.events.ImageLayer;
import io.berth.spi.Digests;
import io.berth.spi.StorageDriver;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.fs.Sys;
import io.berth.spi.fs.TreeCopy;
import io.berth.spi.registry.MediaTypes;
import io.berth.spi.runtime.CommandNotRunnableException;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ExitStatus;
import io.berth.spi.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Runs a layer step in a storage snapshot on the parent's top layer and turns the snapshot's
 * changes into the step's layer: the driver's diff (entries sorted, times clamped to the build's
 * epoch) is the diff id, gzip of it the blob, and that tar is applied as the committed layer (not the
 * snapshot committed in place, whose times are not clamped). RUN
 * launches its container through the engine's one launch core ({@link ContainerLauncher}: user and
 * groups, /etc files, environment, spec, runc under conmon, exit and output followed as the monitor
 * writes them) and keeps only what is a build step's: the snapshot, the step's output in the build's
 * stream, and a layer without the mount points the launch made; COPY and ADD write into the mounted
 * snapshot directly; WORKDIR makes its directory when missing.
 */
final class StepRunner implements AutoCloseable {

    private final BuildService service;
    private final String buildId;
    private final Path workDir;
    private final Instant epoch;
    private final BuildOutput out;
    private final boolean quiet;
    private final List<String> views = new ArrayList<>();
    private final List<String> activeSnapshots = new ArrayList<>();

    private final RequestContext context;

    StepRunner(BuildService service, String buildId, Path workDir, Instant epoch, BuildOutput out, boolean quiet,
               RequestContext context) {
        this.service = service;
        this.context = context;
        this.buildId = buildId;
        this.workDir = workDir;
        this.epoch = epoch;
        this.out = out;
        this.quiet = quiet;
    }

    /** Work on a mounted snapshot's root. */
    @FunctionalInterface
    interface RootfsWork {
        void apply(Path rootfs) throws IOException;
    }

    private String key(int step) {
        return "build-" + buildId.substring(0, 16) + "-" + step;
    }

    /** What a RUN step on the default network asks of the networks: the default network, nothing else. */
    private static final JsonNode BRIDGE = JsonNodeFactory.instance.objectNode().set("HostConfig",
            JsonNodeFactory.instance.objectNode().put("NetworkMode", "bridge"));

    /**
     * Joins a RUN step's namespace to the default network. Whatever the network slice refuses with (its
     * own exception, not the build's) becomes the step's failure.
     */
    private List<ContainerNetworks.Connected> joinDefaultNetwork(ContainerNetworks networks, String id, String hostname,
                                                                 String netns, String commandText) {
        try {
            return networks.connect(id, hostname, netns, BRIDGE, context);
        } catch (BuildException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BuildException("RUN " + commandText + ": cannot join the default network: " + e.getMessage());
        }
    }

    /** Runs {@code work} in a new snapshot on the state's top layer and makes the result a layer. */
    ImageLayer inSnapshot(StageState state, int step, RootfsWork work) {
        return inSnapshot(state, step, work, null);
    }

    /**
     * Runs {@code work} in a new snapshot on the state's top layer and makes the result a layer.
     *
     * @param launched where the work leaves the mount points a container launch created, to be left
     *                 out of the layer; with it, a step that changed nothing makes no layer (null), as
     *                 Docker's builder commits none for it; without it (COPY, ADD) every step makes one
     */
    private ImageLayer inSnapshot(StageState state, int step, RootfsWork work, Map<String, MountPointFilter.Made> launched) {
        StorageDriver storage = service.images().storage();
        String key = key(step);
        String parent = state.topChainId();
        boolean done = false;
        try {
            storage.prepare(key, parent);
            activeSnapshots.add(key);
            Path rootfs = storage.mount(key).target();
            work.apply(rootfs);
            storage.unmount(key);
            ImageLayer layer = commit(storage, key, parent, launched);
            done = true;
            return layer;
        } catch (IOException e) {
            throw new BuildException(e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(""));
        } finally {
            if (!done) {
                removeQuietly(storage, key);
            }
            activeSnapshots.remove(key);
        }
    }

    /**
     * WORKDIR: the directory made (root's, 0755, as Docker's legacy builder makes it) when the parent
     * lacks it, in a layer of its own; no layer when it is there already.
     */
    ImageLayer workdir(StageState state, int step, String directory) {
        return inSnapshot(state, step, rootfs -> {
            try (SafeRoot root = SafeRoot.open(rootfs, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
                if (root.stat(directory) == null) {
                    root.mkdirs(directory, 0755);
                }
            }
        }, Map.of());
    }

    /** RUN: the command in a container on a snapshot; a non-zero exit fails the step with its output. */
    ImageLayer run(StageState state, int step, List<String> argv, List<String> env, BuildNetwork network) {
        return run(state, step, argv, env, network, StepMounts.NONE);
    }

    /**
     * RUN with extra mounts (a RUN's {@code --mount}s, see {@link StepMounts}): the command in a container on a
     * snapshot; a non-zero exit fails the step with its output. The layer holds only what the command changed.
     */
    ImageLayer run(StageState state, int step, List<String> argv, List<String> env, BuildNetwork network, StepMounts extra) {
        Map<String, MountPointFilter.Made> made = new java.util.HashMap<>();
        return inSnapshot(state, step, rootfs -> {
            try {
                List<RuntimeSpecInput.MountSpec> mounts = extra.prepare(rootfs);
                made.putAll(runContainer(state, key(step), rootfs, argv, env, network, mounts));
            } finally {
                extra.release(rootfs);
            }
        }, made);
    }

    /** @return the mount points the launch made in the rootfs and the directories above them, as they were before the command */
    private Map<String, MountPointFilter.Made> runContainer(StageState state, String id, Path rootfs, List<String> argv, List<String> env,
                                      BuildNetwork network, List<RuntimeSpecInput.MountSpec> mounts) throws IOException {
        ContainerLauncher launcher = new ContainerLauncher(service.runtime(), service.mapper());
        Path bundle = workDir.resolve(id);
        String hostname = id.length() > 12 ? Digests.hex(Digests.sha256(id.getBytes(StandardCharsets.UTF_8))).substring(0, 12) : id;
        ContainerNetworks networks = service.networks();
        boolean bridge = network == BuildNetwork.DEFAULT && networks.bridgeAvailable();
        List<RuntimeSpecInput.MountSpec> allMounts = new ArrayList<>(mounts);
        allMounts.addAll(volumeMounts(state, id, rootfs));
        LaunchRequest request = new LaunchRequest(id, rootfs, bundle, argv, env, state.workingDir, state.user, List.of(), hostname,
                network.hostNamespace(bridge), EtcFiles.Settings.NONE, false, false, false, false, List.of(), network.droppedCapabilities(),
                0, 0, 0, allMounts, Map.of(), SecurityOptions.defaults(), bundle.resolve("output.log"), service.exitDirectory());
        ContainerLauncher.Prepared prepared;
        try {
            prepared = launcher.prepare(request);
        } catch (ContainerLauncher.LaunchException e) {
            throw new BuildException(e.getMessage());
        }
        Map<String, MountPointFilter.Made> made = MountPointFilter.note(rootfs, prepared.createdMountPoints());
        String commandText = String.join(" ", argv);
        boolean created = false;
        boolean connected = false;
        Deque<String> lastLines = new ArrayDeque<>();
        try {
            try {
                launcher.create(prepared);
            } catch (CommandNotRunnableException e) {
                throw new BuildException("The command '" + commandText + "' returned a non-zero code: " + e.exitCode()
                        + " (" + e.getMessage().lines().findFirst().orElse("") + ")", e.exitCode(), List.of(e.getMessage()));
            }
            created = true;
            if (bridge) {
                // as Docker's builder: the step's own namespace on the default network, joined before it runs
                connected = true;
                launcher.joined(prepared, joinDefaultNetwork(networks, id, hostname, launcher.networkNamespace(id), commandText));
            }
            out.stream(" ---> Running in " + hostname + "\n");
            launcher.start(id);
            RunOutputTail tail = new RunOutputTail(request.log(), out, quiet);
            ExitStatus status = launcher.awaitExit(prepared, () -> tail.drain(lastLines));
            tail.flushPartial(lastLines);
            if (status.code() != 0) {
                throw new BuildException("The command '" + commandText + "' returned a non-zero code: " + status.code(),
                        status.code(), List.copyOf(lastLines));
            }
            out.stream("Removing intermediate container " + hostname + "\n");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("build interrupted");
        } catch (ContainerRuntimeException e) {
            throw new BuildException("RUN " + commandText + ": " + e.getMessage().lines().findFirst().orElse(""), -1, List.copyOf(lastLines));
        } finally {
            if (connected) {
                try {
                    networks.disconnect(id, context);
                } catch (RuntimeException e) {
                    // the driver keeps what it could not undo; the daemon's network reconcile removes it
                }
            }
            if (created) {
                launcher.deleteQuietly(id);
            }
            for (int n = 0; n < state.volumes.size(); n++) {
                BuildService.deleteTree(workDir.resolve(id + ".volume-" + n));
            }
            Files.deleteIfExists(request.exitDirectory().resolve(id));
        }
        return made;
    }

    /**
     * The stage's VOLUMEs as the RUN's anonymous volumes, as Docker's builder runs a step: each a copy of
     * what the image holds there, bound over the path, so what the command writes under a volume is not
     * in the step's layer. The copies are removed when the step's container is.
     */
    private List<RuntimeSpecInput.MountSpec> volumeMounts(StageState state, String id, Path rootfs) throws IOException {
        List<RuntimeSpecInput.MountSpec> volumes = new ArrayList<>();
        int n = 0;
        for (String path : state.volumes.keySet()) {
            String inImage = BuildExecution.clean(path.startsWith("/") ? path : "/" + path);
            Path copy = workDir.resolve(id + ".volume-" + n++);
            Files.createDirectories(copy);
            try (SafeRoot image = SafeRoot.open(rootfs, SafeRoot.Symlinks.FOLLOW_IN_ROOT);
                 SafeRoot volume = SafeRoot.open(copy, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
                Sys.Stat st = image.stat(inImage);
                if (st != null && st.isDir()) {
                    TreeCopy.copyContents(image, inImage, volume, "/", TreeCopy.Rules.preserving());
                } else if (st == null) {
                    image.mkdirs(inImage, 0755); // Docker's mount point for it is part of the step's layer
                }
            }
            volumes.add(new RuntimeSpecInput.MountSpec(inImage, "bind", copy.toString(), List.of("rbind", "rprivate")));
        }
        return volumes;
    }

    /**
     * The snapshot's diff is the layer: written to a file while hashed (diff id), gzip-compressed
     * deterministically into the content store (the blob), then committed as the next layer.
     */
    private ImageLayer commit(StorageDriver storage, String key, String parent, Map<String, MountPointFilter.Made> launched)
            throws StorageException, IOException {
        Path raw = workDir.resolve(key + ".raw.tar");
        Path tar = workDir.resolve(key + ".tar");
        Path gz = workDir.resolve(key + ".tar.gz");
        try {
            MessageDigest diffDigest = Digests.newSha256();
            if (launched == null) {
                try (OutputStream file = new DigestOutputStream(Files.newOutputStream(tar), diffDigest)) {
                    storage.diff(key, file, epoch);
                }
            } else {
                try (OutputStream file = Files.newOutputStream(raw)) {
                    storage.diff(key, file, epoch);
                }
                int kept;
                try (OutputStream file = new DigestOutputStream(Files.newOutputStream(tar), diffDigest)) {
                    kept = MountPointFilter.copyWithout(raw, launched, file);
                }
                if (kept == 0) {
                    storage.removeSnapshot(key);
                    return null; // nothing changed: Docker's builder commits no layer for it either
                }
            }
            String diffId = Digests.sha256(diffDigest);
            MessageDigest blobDigest = Digests.newSha256();
            try (OutputStream file = new DigestOutputStream(Files.newOutputStream(gz), blobDigest);
                 GZIPOutputStream zip = new DeterministicGzip(file);
                 InputStream in = Files.newInputStream(tar)) {
                in.transferTo(zip);
            }
            String blob = Digests.sha256(blobDigest);
            long blobSize = Files.size(gz);
            ContentStore content = service.images().content();
            try (ContentStore.Ingest ingest = content.ingest(blob, blobSize); InputStream in = Files.newInputStream(gz)) {
                if (!ingest.alreadyStored()) {
                    if (ingest.offset() > 0) {
                        ingest.restart();
                    }
                    ingest.writeAll(in);
                }
                ingest.commit();
            }
            String chainId = BuildExecution.chainOf(parent, diffId);
            // the layer is unpacked from the tar rather than committed in place: the tar's times are clamped to the
            // epoch, and the layer a container sees must be the one the image describes
            if (storage.hasLayer(chainId)) {
                storage.removeSnapshot(key);
            } else {
                try (InputStream in = Files.newInputStream(tar)) {
                    storage.applyLayer(chainId, parent, in);
                }
                storage.removeSnapshot(key);
            }
            return new ImageLayer(blob, MediaTypes.OCI_LAYER_GZIP, blobSize, diffId, chainId);
        } finally {
            Files.deleteIfExists(raw);
            Files.deleteIfExists(tar);
            Files.deleteIfExists(gz);
        }
    }

    /** gzip with a fixed header (no time, no name) and the default level: the same tar always gives the same blob. */
    private static final class DeterministicGzip extends GZIPOutputStream {
        DeterministicGzip(OutputStream out) throws IOException {
            super(out, 65536);
            def.setLevel(Deflater.DEFAULT_COMPRESSION);
        }
    }

    /** A mounted view of a committed chain (COPY --from), removed when the build ends. */
    Path view(String chainId) {
        StorageDriver storage = service.images().storage();
        String key = "build-" + buildId.substring(0, 16) + "-view-" + views.size();
        try {
            storage.prepare(key, chainId);
            views.add(key);
            return storage.mount(key).target();
        } catch (StorageException e) {
            throw new BuildException("cannot read the source stage: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        StorageDriver storage = service.images().storage();
        for (String key : views) {
            removeQuietly(storage, key);
        }
        for (String key : List.copyOf(activeSnapshots)) {
            removeQuietly(storage, key);
        }
    }

    private static void removeQuietly(StorageDriver storage, String key) {
        try {
            storage.removeSnapshot(key);
        } catch (StorageException | RuntimeException e) {
            // best effort: a leftover snapshot is listed by the driver and removed by a later build of the same key
        }
    }
}
