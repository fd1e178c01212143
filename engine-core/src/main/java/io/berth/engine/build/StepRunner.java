package io.berth.engine.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.container.ImageUsers;
import io.berth.engine.container.RootfsPaths;
import io.berth.engine.container.RuntimeSpecBuilder;
import io.berth.engine.container.RuntimeSpecInput;
import io.berth.engine.container.SecurityOptions;
import io.berth.engine.content.ContentStore;
import io.berth.eventlog.events.ImageLayer;
import io.berth.spi.ContainerRuntime;
import io.berth.spi.Digests;
import io.berth.spi.StorageDriver;
import io.berth.spi.registry.MediaTypes;
import io.berth.spi.runtime.CommandNotRunnableException;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ContainerSpec;
import io.berth.spi.runtime.ExitStatus;
import io.berth.spi.storage.LayerInfo;
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
import java.util.Optional;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Runs a layer step in a storage snapshot on the parent's top layer and turns the snapshot's
 * changes into the step's layer: the driver's diff (entries sorted, times clamped to the build's
 * epoch) is the diff id, gzip of it the blob, and that tar is applied as the committed layer (not the
 * snapshot committed in place, whose times are not clamped). RUN
 * executes through the runtime plugin (runc under conmon) with the step's output streamed from the
 * monitor's log; COPY and ADD write into the mounted snapshot directly.
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

    StepRunner(BuildService service, String buildId, Path workDir, Instant epoch, BuildOutput out, boolean quiet) {
        this.service = service;
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

    /** Runs {@code work} in a new snapshot on the state's top layer and makes the result a layer. */
    ImageLayer inSnapshot(StageState state, int step, RootfsWork work) {
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
            ImageLayer layer = commit(storage, key, parent);
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

    /** RUN: the command in a container on a snapshot; a non-zero exit fails the step with its output. */
    ImageLayer run(StageState state, int step, List<String> argv, List<String> env, BuildNetwork network) {
        return run(state, step, argv, env, network, StepMounts.NONE);
    }

    /** RUN with extra mounts (see {@link StepMounts}). */
    ImageLayer run(StageState state, int step, List<String> argv, List<String> env, BuildNetwork network, StepMounts extra) {
        return inSnapshot(state, step, rootfs -> {
            try {
                List<RuntimeSpecInput.MountSpec> mounts = extra.prepare(rootfs);
                runContainer(state, key(step), rootfs, argv, env, network, mounts);
            } finally {
                extra.release(rootfs);
            }
        });
    }

    private void runContainer(StageState state, String id, Path rootfs, List<String> argv, List<String> env, BuildNetwork network,
                              List<RuntimeSpecInput.MountSpec> extraMounts) throws IOException {
        ContainerRuntime runtime = service.runtime();
        ObjectMapper mapper = service.mapper();
        String cwd = state.workingDir.isEmpty() ? "/" : state.workingDir;
        Path cwdOnHost = RootfsPaths.resolve(rootfs, cwd);
        if (!Files.isDirectory(cwdOnHost)) {
            Files.createDirectories(cwdOnHost);
        }
        ImageUsers.Identity user;
        try {
            user = ImageUsers.resolve(rootfs, state.user);
        } catch (IllegalArgumentException e) {
            throw new BuildException("unable to find user " + state.user + ": " + e.getMessage());
        }
        Path bundle = workDir.resolve(id);
        Files.createDirectories(bundle);
        String hostname = id.length() > 12 ? Digests.hex(Digests.sha256(id.getBytes(StandardCharsets.UTF_8))).substring(0, 12) : id;
        Files.writeString(bundle.resolve("hostname"), hostname + "\n");
        Files.writeString(bundle.resolve("hosts"), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t"
                + hostname + "\n");
        Path hostResolv = Path.of("/etc/resolv.conf");
        Files.write(bundle.resolve("resolv.conf"), Files.isReadable(hostResolv) ? Files.readAllBytes(hostResolv) : new byte[0]);
        List<RuntimeSpecInput.MountSpec> mounts = new ArrayList<>();
        for (String file : List.of("hostname", "hosts", "resolv.conf")) {
            mounts.add(new RuntimeSpecInput.MountSpec("/etc/" + file, "bind", bundle.resolve(file).toString(), List.of("rbind", "rprivate")));
            Path target = RootfsPaths.resolve(rootfs, "/etc/" + file);
            if (!Files.exists(target)) {
                Files.createDirectories(target.getParent());
                Files.createFile(target);
            }
        }
        mounts.addAll(extraMounts); // RUN --mount, after /etc's files so a mount may cover them
        List<String> fullEnv = new ArrayList<>(env);
        if (fullEnv.stream().noneMatch(e -> e.startsWith("PATH="))) {
            fullEnv.add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        }
        fullEnv.add("HOSTNAME=" + hostname);
        if (fullEnv.stream().noneMatch(e -> e.startsWith("HOME="))) {
            fullEnv.add("HOME=" + user.home());
        }
        RuntimeSpecInput input = new RuntimeSpecInput(id, rootfs, argv, fullEnv, cwd, user.uid(), user.gid(), user.additionalGids(),
                hostname, false, false, false, List.of(), network.droppedCapabilities(), network.hostNamespace(), 0, 0, 0,
                "/berth/" + id, mounts, Map.of(), SecurityOptions.defaults());
        byte[] spec = mapper.writeValueAsBytes(new RuntimeSpecBuilder(mapper).build(input));
        Path log = bundle.resolve("output.log");
        Path exits = service.exitDirectory();
        Files.deleteIfExists(exits.resolve(id));
        String commandText = String.join(" ", argv);
        boolean created = false;
        Deque<String> lastLines = new ArrayDeque<>();
        try {
            try {
                runtime.create(new ContainerSpec(id, bundle, rootfs, spec, log, exits, false, false));
            } catch (CommandNotRunnableException e) {
                throw new BuildException("The command '" + commandText + "' returned a non-zero code: " + e.exitCode()
                        + " (" + e.getMessage().lines().findFirst().orElse("") + ")", e.exitCode(), List.of(e.getMessage()));
            }
            created = true;
            out.stream(" ---> Running in " + hostname + "\n");
            runtime.start(id);
            RunOutputTail tail = new RunOutputTail(log, out, quiet);
            ExitStatus status;
            while (true) {
                tail.drain(lastLines);
                Optional<ExitStatus> exit = runtime.exitStatus(id);
                if (exit.isPresent()) {
                    status = exit.get();
                    break;
                }
                try {
                    Thread.sleep(15);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BuildException("build interrupted");
                }
            }
            // conmon writes the exit file after the last log line: one more read has it all
            tail.drain(lastLines);
            tail.flushPartial(lastLines);
            if (status.code() != 0) {
                throw new BuildException("The command '" + commandText + "' returned a non-zero code: " + status.code(),
                        status.code(), List.copyOf(lastLines));
            }
            out.stream("Removing intermediate container " + hostname + "\n");
        } catch (ContainerRuntimeException e) {
            throw new BuildException("RUN " + commandText + ": " + e.getMessage().lines().findFirst().orElse(""), -1, List.copyOf(lastLines));
        } finally {
            if (created) {
                try {
                    runtime.delete(id, true);
                } catch (ContainerRuntimeException | RuntimeException e) {
                    // the failure (if any) above is what matters; a leftover is reported by runc list
                }
            }
            Files.deleteIfExists(exits.resolve(id));
        }
    }

    /**
     * The snapshot's diff is the layer: written to a file while hashed (diff id), gzip-compressed
     * deterministically into the content store (the blob), then committed as the next layer.
     */
    private ImageLayer commit(StorageDriver storage, String key, String parent) throws StorageException, IOException {
        Path tar = workDir.resolve(key + ".tar");
        Path gz = workDir.resolve(key + ".tar.gz");
        try {
            MessageDigest diffDigest = Digests.newSha256();
            try (OutputStream file = new DigestOutputStream(Files.newOutputStream(tar), diffDigest)) {
                storage.diff(key, file, epoch);
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

    /** Layer size as the storage driver counts it. */
    long layerSize(String chainId) {
        try {
            return service.images().storage().layer(chainId).map(LayerInfo::size).orElse(0L);
        } catch (StorageException e) {
            return 0;
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
