package io.berth.engine.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.container.ContainerNetworks;
import io.berth.engine.content.ContentStore;
import io.berth.engine.image.ImageException;
import io.berth.engine.image.ImageService;
import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.engine.plugins.PluginHost;
import io.berth.eventlog.events.BuildEvent;
import io.berth.eventlog.events.ImageDescription;
import io.berth.spi.ContainerRuntime;
import io.berth.spi.Digests;
import io.berth.spi.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import io.berth.spi.fs.SafeRoot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Builds images from Dockerfiles and keeps their record. A build stores its context and Dockerfile
 * as blobs, records {@code BuildStarted}, runs the steps ({@link BuildExecution}), has the
 * {@link ImageAssembler} store the image's config and manifest, and records the image with
 * {@code ImageLoaded} and {@code BuildCompleted} in one append: a failed build leaves no image,
 * only {@code BuildFailed}.
 */
public final class BuildService {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Journal journal;
    private final ImageService images;
    private final PluginHost plugins;
    private final ObjectMapper mapper;
    private final Path buildsDir;
    private final ContextCache contexts;
    private final CacheMounts cacheMounts;
    private final Path exitDirectory;
    private volatile ContainerNetworks networks = ContainerNetworks.NONE;
    private final Instant defaultEpoch;

    /**
     * @param defaultEpoch the time layers are clamped to and images dated with when a build gives no
     *                     {@code SOURCE_DATE_EPOCH} build-arg
     */
    private volatile UrlDownload.Limits addUrlLimits = UrlDownload.Limits.DEFAULT;

    /**
     * Bounds {@code ADD <url>}: the largest body and the time a download may take (the daemon's
     * {@code add-url-max-size} and {@code add-url-timeout}).
     */
    public BuildService withAddUrlLimits(long maxBytes, java.time.Duration timeout) {
        addUrlLimits = new UrlDownload.Limits(maxBytes, timeout, UrlDownload.Limits.DEFAULT.maxRedirects());
        return this;
    }

    UrlDownload.Limits addUrlLimits() {
        return addUrlLimits;
    }

    public BuildService(Journal journal, ImageService images, PluginHost plugins, ObjectMapper mapper, Path root, Instant defaultEpoch) {
        this.journal = journal;
        this.images = images;
        this.plugins = plugins;
        this.mapper = mapper;
        this.buildsDir = root.resolve("builds");
        this.exitDirectory = buildsDir.resolve("exits");
        this.defaultEpoch = defaultEpoch;
        try {
            Files.createDirectories(exitDirectory);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + exitDirectory + ": " + e.getMessage(), e);
        }
        this.contexts = new ContextCache(buildsDir.resolve("contexts"));
        this.cacheMounts = new CacheMounts(buildsDir.resolve("cache-mounts"));
    }

    /** The build cache directories of {@code RUN --mount=type=cache}, kept across builds. */
    CacheMounts cacheMounts() {
        return cacheMounts;
    }

    /**
     * The epoch builds use without a {@code SOURCE_DATE_EPOCH} build-arg: the daemon's
     * {@code SOURCE_DATE_EPOCH} environment variable (seconds), else the system property
     * {@code berth.build.epoch}, else 0 (1970-01-01T00:00:00Z), as BuildKit's reproducible builds use.
     */
    public static Instant configuredEpoch(Map<String, String> env) {
        String value = env.getOrDefault("SOURCE_DATE_EPOCH", System.getProperty("berth.build.epoch", "0"));
        try {
            return Instant.ofEpochSecond(Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SOURCE_DATE_EPOCH=" + value + " is not a number of seconds");
        }
    }

    Journal journal() {
        return journal;
    }

    public ImageService images() {
        return images;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    /** The networks a RUN step joins (the default network {@code bridge}); set by the daemon. */
    public BuildService withNetworks(ContainerNetworks networks) {
        this.networks = networks;
        return this;
    }

    ContainerNetworks networks() {
        return networks;
    }

    Path exitDirectory() {
        return exitDirectory;
    }

    ContainerRuntime runtime() {
        return plugins.first(ContainerRuntime.class).orElseThrow(() ->
                new BuildException("no container runtime plugin is running (see berth plugin ls): RUN needs one"));
    }

    String created(Instant epoch) {
        return DateTimeFormatter.ISO_INSTANT.format(epoch);
    }

    /**
     * After a daemon restart: a build the log shows as running was cut off. Its record is closed with
     * {@code BuildFailed}, and its scratch directory and snapshots are removed.
     */
    public void recoverInterrupted(RequestContext context) {
        List<String> running = journal.projections().read(BuildProjection.INSTANCE,
                s -> s.builds.values().stream().filter(b -> b.status.equals("running")).map(b -> b.id).toList());
        for (String id : running) {
            journal.record(context, new BuildEvent.BuildFailed(id, "the daemon stopped during the build", ""));
            deleteTree(buildsDir.resolve(id));
        }
        try {
            var storage = images.storage();
            for (var snapshot : storage.listSnapshots()) {
                if (snapshot.key().startsWith("build-")) {
                    storage.removeSnapshot(snapshot.key());
                }
            }
        } catch (RuntimeException | StorageException e) {
            System.getLogger("berth.build").log(System.Logger.Level.WARNING, "cannot remove leftover build snapshots: " + e.getMessage());
        }
    }

    /** The blobs build records refer to (contexts, Dockerfiles, logs): kept by garbage collection for audit and replay. */
    public java.util.Collection<String> recordBlobs() {
        return journal.projections().read(BuildProjection.INSTANCE, s -> {
            java.util.Set<String> blobs = new java.util.HashSet<>();
            for (BuildState.BuildRecord b : s.builds.values()) {
                for (String d : List.of(b.contextDigest, b.dockerfileDigest, b.logDigest)) {
                    if (d != null && !d.isEmpty()) {
                        blobs.add(d);
                    }
                }
            }
            return blobs;
        });
    }

    /** What a build gave. */
    public record Result(String buildId, String imageId, List<String> tags) {}

    /** Checks the tags before anything is streamed, so a bad one is a plain 400. */
    public void validate(BuildRequest request) {
        BuildNetwork.parse(request.network(), "--network"); // a BuildException: INVALID, a plain 400
        for (String tag : request.tags()) {
            images.parse(tag);
        }
    }

    /**
     * Builds an image from a context tar.
     *
     * @throws BuildException when the build fails (after recording {@code BuildFailed})
     */
    public Result build(InputStream contextTar, BuildRequest request, BuildOutput output, RequestContext context) {
        String buildId = HexFormat.of().formatHex(randomBytes());
        Path dir = buildsDir.resolve(buildId);
        BuildLog log = new BuildLog(dir.resolve("output.log"));
        BuildOutput out = new BuildOutput() {
            @Override
            public void stream(String text0) {
                // a step that prints a secret does not put it in the kept output or the client's stream
                String text = request.secrets().redact(text0);
                try {
                    log.append(text);
                } catch (IOException e) {
                    // the kept log is an extra; the build and the client's stream carry on without it
                    System.getLogger("berth.build").log(System.Logger.Level.WARNING, "build " + buildId + ": cannot keep its output: " + e.getMessage());
                }
                if (!request.quiet()) {
                    output.stream(text);
                }
            }

            @Override
            public void imageId(String id) {
                output.imageId(id);
            }
        };
        long t0 = System.nanoTime();
        boolean started = false;
        ContextCache.Lease lease = null;
        try {
            Files.createDirectories(dir);
            Path tarFile = dir.resolve("context.tar");
            MessageDigest sha = Digests.newSha256();
            try (OutputStream file = new DigestOutputStream(Files.newOutputStream(tarFile), sha)) {
                contextTar.transferTo(file);
            } catch (IOException e) {
                // most often the daemon's disk (ENOSPC): say where, so the message is one a user can act on
                throw new BuildException("cannot receive the build context into " + dir + ": " + e.getMessage());
            }
            String contextDigest = Digests.sha256(sha);
            long tReceived = System.nanoTime();
            store(tarFile, contextDigest);
            String dockerfileName = request.dockerfile();
            byte[] dockerfileBytes;
            lease = contexts.acquire(contextDigest, tarFile, BuildContext::unpack);
            Path contextRoot = lease.root();
            Path dockerfile = contextRoot.resolve(BuildContext.cleanSource(dockerfileName));
            if (!Files.isRegularFile(dockerfile)) {
                throw new BuildException("Cannot locate specified Dockerfile: " + dockerfileName);
            }
            dockerfileBytes = Files.readAllBytes(dockerfile);
            List<String> hidden = BuildFilesIgnore.excluded(contextRoot, dockerfileName);
            if (!hidden.isEmpty()) {
                // the context COPY and ADD see lacks the build files .dockerignore excludes: an unpacked
                // context of its own, kept beside the full one under a key that names what it lacks
                ContextCache.Lease full = lease;
                lease = contexts.acquire(contextDigest + " without " + String.join(" ", hidden), tarFile, (in, into) -> {
                    BuildContext.unpack(in, into);
                    try (SafeRoot unpacked = SafeRoot.open(into, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
                        for (String name : hidden) {
                            unpacked.remove(name);
                        }
                    }
                });
                full.close();
                contextRoot = lease.root();
            }
            long tUnpacked = System.nanoTime();
            String dockerfileDigest = images.content().put(dockerfileBytes);
            Map<String, String> args = new TreeMap<>();
            request.buildArgs().forEach((k, v) -> {
                if (v != null) {
                    args.put(k, v);
                }
            });
            List<String> fullTags = request.tags().stream().map(t -> images.parse(t).toString()).toList();
            journal.record(context, new BuildEvent.BuildStarted(buildId, contextDigest, dockerfileName, dockerfileDigest, args,
                    request.target(), fullTags, request.labels(), request.noCache(), request.replayOf()));
            started = true;
            output.buildStarted(buildId);
            Instant epoch = epoch(request);
            Path scratch = dir.resolve("work");
            Files.createDirectories(scratch);
            var guard = images.buildGuard();
            guard.lock();
            try (StepRunner runner = new StepRunner(this, buildId, scratch, epoch, out, request.quiet(), context)) {
                BuildExecution execution = new BuildExecution(this, request, buildId, context, out, runner, epoch,
                        contextRoot, lease.fileDigests(), scratch);
                BuildExecution.Result result = execution.run(new String(dockerfileBytes, StandardCharsets.UTF_8));
                long tSteps = System.nanoTime();
                ImageDescription description = new ImageAssembler(images, mapper).assemble(result.image(), request.labels(),
                        created(epoch));
                String imageId = description.imageId();
                out.stream("Successfully built " + Digests.hex(imageId).substring(0, 12) + "\n");
                for (String tag : request.tags()) {
                    out.stream("Successfully tagged " + images.familiar(images.parse(tag).toString()) + "\n");
                }
                String logDigest = log.store(images.content());
                long millis = (System.nanoTime() - t0) / 1_000_000;
                List<String> tags = images.recordBuilt(description, request.tags(),
                        full -> List.of(new BuildEvent.BuildCompleted(buildId, imageId, full, logDigest, millis)), context);
                long tEnd = System.nanoTime();
                System.getLogger("berth.build").log(System.Logger.Level.INFO, String.format(
                        "build %s: %d ms (context received %d, stored and %s %d, steps %d, image recorded %d)",
                        buildId.substring(0, 12), (tEnd - t0) / 1_000_000, (tReceived - t0) / 1_000_000,
                        lease.reused() ? "kept unpacked" : "unpacked", (tUnpacked - tReceived) / 1_000_000, (tSteps - tUnpacked) / 1_000_000, (tEnd - tSteps) / 1_000_000));
                out.imageId(imageId);
                if (request.quiet()) {
                    output.stream(imageId + "\n");
                }
                return new Result(buildId, imageId, tags);
            } finally {
                guard.unlock();
            }
        } catch (IOException | RuntimeException e) {
            // every failure ends the record: a build is never left "running"
            String message = e.getMessage() == null || e.getMessage().isBlank() ? e.toString()
                    : e.getMessage().lines().findFirst().orElse(e.toString());
            if (!(e instanceof BuildException) && !(e instanceof ImageException) && !(e instanceof IOException)) {
                System.getLogger("berth.build").log(System.Logger.Level.WARNING, "build " + buildId + " failed unexpectedly", e);
            }
            if (started) {
                String logDigest;
                try {
                    log.append("ERROR: " + message + "\n");
                    logDigest = log.store(images.content());
                } catch (IOException logFailure) {
                    logDigest = images.content().put(("ERROR: " + message + "\n").getBytes(StandardCharsets.UTF_8));
                }
                journal.record(context, new BuildEvent.BuildFailed(buildId, message, logDigest));
            }
            if (e instanceof BuildException b) {
                throw b;
            }
            throw new BuildException(message);
        } finally {
            if (lease != null) {
                lease.close();
            }
            deleteTree(dir);
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private Instant epoch(BuildRequest request) {
        String value = request.buildArgs().get("SOURCE_DATE_EPOCH");
        if (value == null || value.isBlank()) {
            return defaultEpoch;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            throw new BuildException("invalid SOURCE_DATE_EPOCH " + value + ": not a number of seconds");
        }
    }

    private void store(Path file, String digest) throws IOException {
        try (ContentStore.Ingest ingest = images.content().ingest(digest, Files.size(file)); InputStream in = Files.newInputStream(file)) {
            if (!ingest.alreadyStored()) {
                if (ingest.offset() > 0) {
                    ingest.restart();
                }
                ingest.writeAll(in);
            }
            ingest.commit();
        }
    }

    // ---- the record

    /** Every build, oldest first. */
    public List<BuildState.BuildRecord> list() {
        return journal.projections().read(BuildProjection.INSTANCE, s -> {
            List<BuildState.BuildRecord> all = new ArrayList<>(s.builds.values());
            all.sort(Comparator.comparing(b -> b.startedAt));
            return all.stream().map(this::copyRecord).toList();
        });
    }

    private BuildState.BuildRecord copyRecord(BuildState.BuildRecord record) {
        return mapper.convertValue(mapper.valueToTree(record), BuildState.BuildRecord.class);
    }

    /** A build by id or unique id prefix. */
    public BuildState.BuildRecord require(String idOrPrefix) {
        String id0 = idOrPrefix.startsWith("sha256:") ? idOrPrefix.substring(7) : idOrPrefix;
        boolean buildIdLike = id0.matches("[0-9a-f]{1,64}");
        String imageId = "";
        if (!buildIdLike || journal.projections().read(BuildProjection.INSTANCE, s -> s.builds.keySet().stream().noneMatch(k -> k.startsWith(id0)))) {
            try {
                imageId = images.find(idOrPrefix).map(ImageService.Image::id).orElse("");
            } catch (RuntimeException e) {
                imageId = "";
            }
        }
        String tagged = imageId;
        String id = tagged.isEmpty() ? id0 : Digests.hex(tagged);
        return journal.projections().read(BuildProjection.INSTANCE, s -> {
            BuildState.BuildRecord exact = s.builds.get(id);
            if (exact != null) {
                return copyRecord(exact);
            }
            List<BuildState.BuildRecord> matches = tagged.isEmpty()
                    ? s.builds.values().stream().filter(b -> !id.isEmpty() && b.id.startsWith(id)).toList() : List.of();
            if (matches.size() == 1) {
                return copyRecord(matches.getFirst());
            }
            if (matches.size() > 1) {
                throw new BuildException("build id prefix " + idOrPrefix + " is ambiguous");
            }
            // an image (id or tag) names the latest build that made it
            List<BuildState.BuildRecord> byImage = s.builds.values().stream()
                    .filter(b -> !b.imageId.isEmpty() && (b.imageId.equals(idOrPrefix) || Digests.hex(b.imageId).startsWith(id)))
                    .sorted(Comparator.comparing((BuildState.BuildRecord b) -> b.startedAt).reversed()).toList();
            if (!byImage.isEmpty()) {
                return copyRecord(byImage.getFirst());
            }
            throw BuildException.notFound("no such build: " + idOrPrefix);
        });
    }

    /** The build's output as streamed. */
    public byte[] logs(String idOrPrefix) {
        BuildState.BuildRecord record = require(idOrPrefix);
        if (record.logDigest.isEmpty()) {
            return new byte[0];
        }
        return images.content().read(record.logDigest);
    }

    /** One step of a replay compared with the record. */
    public record StepComparison(int step, String instruction, String recordedDiffId, String replayedDiffId, boolean reproduced) {}

    /** A replay's outcome. */
    public record Replay(String originalBuild, String replayBuild, String imageId, String recordedImageId,
                         List<StepComparison> steps, boolean reproduced) {}

    /**
     * Rebuilds a recorded build from its stored context, Dockerfile and arguments, without the
     * cache, and compares each layer's diff id with the record.
     */
    public Replay replay(String idOrPrefix, BuildOutput out, RequestContext context) {
        BuildState.BuildRecord original = require(idOrPrefix);
        if (!images.content().has(original.contextDigest)) {
            throw BuildException.notFound("the context of build " + original.id + " is no longer stored");
        }
        BuildRequest request = new BuildRequest(original.dockerfileName, new LinkedHashMap<>(original.buildArgs), original.target,
                List.of(), original.labels, true, false, original.id, ""); // the build's --network is not recorded: default
        Result result;
        try (InputStream context0 = images.content().open(original.contextDigest)) {
            result = build(context0, request, out, context);
        } catch (IOException e) {
            throw BuildException.internal("cannot read the stored context of build " + original.id + ": " + e.getMessage());
        }
        BuildState.BuildRecord replayed = require(result.buildId());
        List<StepComparison> steps = new ArrayList<>();
        boolean all = true;
        for (BuildState.StepRecord step : original.steps) {
            BuildState.StepRecord again = replayed.steps.stream().filter(s -> s.step == step.step).findFirst().orElse(null);
            String recorded = step.diffId;
            String now = again == null ? "" : again.diffId;
            boolean same = recorded.equals(now);
            all &= same;
            steps.add(new StepComparison(step.step, step.instruction, recorded, now, same));
        }
        all &= original.steps.size() == replayed.steps.size();
        return new Replay(original.id, result.buildId(), result.imageId(), original.imageId, steps,
                all && result.imageId().equals(original.imageId));
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // scratch space under <root>/builds; a later build does not reuse the id
        }
    }
}
