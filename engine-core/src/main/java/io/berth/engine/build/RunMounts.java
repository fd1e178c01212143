package io.berth.engine.build;

import io.berth.engine.dockerfile.Location;
import io.berth.engine.container.RootfsPaths;
import io.berth.engine.container.RuntimeSpecInput;
import io.berth.engine.image.ImageService;
import io.berth.eventlog.events.BuildEvent;
import io.berth.spi.Digests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The {@code RUN --mount}s of one step: resolved when the step is planned (a bind's or cache's
 * {@code from}, a secret's presence), so the cache key knows what a bind shows, then set up around
 * the step's container ({@link StepMounts}):
 * <ul>
 *   <li>{@code bind}: the context, a stage's or an image's files (a {@code source} under them);
 *       read-only unless {@code rw}, whose writes go to a throw-away copy or view. Its content is
 *       part of the step's cache key.</li>
 *   <li>{@code cache}: a daemon-kept directory by id ({@link CacheMounts}), recorded with
 *       {@code BuildCacheMountUsed}; its content is never part of a key or a layer.</li>
 *   <li>{@code tmpfs}: an empty tmpfs.</li>
 *   <li>{@code secret}: the value, given to this build only, as a read-only file in a private
 *       directory of the build (removed after the step) and/or an environment variable of the
 *       command; an absent optional secret is not mounted, an absent required one fails the step.</li>
 *   <li>{@code ssh}: the SSH agent socket the client named for the id, bound at the target
 *       ({@code /run/buildkit/ssh_agent.N} by default) with {@code SSH_AUTH_SOCK} pointing to the first.</li>
 * </ul>
 * A mount point the runtime had to create in the snapshot (and that holds nothing after the
 * step) is removed before the layer is taken, so mounts leave no trace in the image.
 */
final class RunMounts implements StepMounts {
    private final BuildExecution build;
    private final BuildRequest request;
    private final int step;
    private final Location location;
    private final List<Planned> planned = new ArrayList<>();
    private final List<Path> stubs = new ArrayList<>();
    private final List<AutoCloseable> held = new ArrayList<>();
    private Path privateDir;

    /** One mount with what it was resolved to. */
    private record Planned(RunMount mount, Path tree, String treePath, byte[] secret, String socket) {
    }

    private RunMounts(BuildExecution build, BuildRequest request, int step, Location location) {
        this.location = location;
        this.build = build;
        this.request = request;
        this.step = step;
    }

    /**
     * Resolves a step's mounts and adds what a bind shows to {@code sources} (its cache key).
     *
     * @param step the step number, for the events
     */
    static RunMounts plan(BuildExecution build, BuildRequest request, int step, Location location, List<RunMount> mounts,
                          Map<String, String> sources) {
        RunMounts result = new RunMounts(build, request, step, location);
        int sshIndex = 0;
        for (RunMount m : mounts) {
            switch (m.type()) {
                case BIND -> {
                    Resolved r = result.resolveFrom(m, m.from());
                    String digest = r.identity != null ? r.identity : treeDigest(r.tree, r.path);
                    sources.put("mount:" + m.target(), digest);
                    result.planned.add(new Planned(m, r.tree, r.path, null, null));
                }
                case CACHE -> {
                    Resolved r = m.from().isEmpty() ? null : result.resolveFrom(m, m.from());
                    result.planned.add(new Planned(m, r == null ? null : r.tree, r == null ? "" : r.path, null, null));
                }
                case TMPFS -> result.planned.add(new Planned(m, null, "", null, null));
                case SECRET -> {
                    byte[] value = request.secrets().secret(m.id()).orElse(null);
                    if (value == null) {
                        if (m.required()) {
                            throw new BuildException("RUN --mount=type=secret,id=" + m.id() + ": secret " + m.id()
                                    + " is required but was not given to the build (build --secret id=" + m.id() + ",src=FILE)");
                        }
                        continue; // as BuildKit: an optional secret that was not given is simply not there
                    }
                    result.planned.add(new Planned(m, null, "", value, null));
                }
                case SSH -> {
                    String socket = request.secrets().sshSocket(m.id()).orElse(null);
                    if (socket == null) {
                        throw new BuildException("RUN --mount=type=ssh,id=" + m.id() + ": no SSH agent socket " + m.id()
                                + " was given to the build (build --ssh " + m.id() + "[=SOCKET])");
                    }
                    String target = m.target().isEmpty() ? "/run/buildkit/ssh_agent." + sshIndex : m.target();
                    sshIndex++;
                    RunMount placed = new RunMount(m.type(), target, m.id(), m.sharing(), m.from(), m.source(), m.mode(), m.uid(),
                            m.gid(), m.readOnly(), m.required(), m.env(), m.size());
                    result.planned.add(new Planned(placed, null, "", null, socket));
                }
            }
        }
        return result;
    }

    /** The environment the mounts add to the command: secrets with {@code env=}, {@code SSH_AUTH_SOCK}. */
    List<String> environment() {
        List<String> env = new ArrayList<>();
        boolean sshSet = false;
        for (Planned p : planned) {
            if (p.secret != null && !p.mount.env().isEmpty()) {
                env.add(p.mount.env() + "=" + new String(p.secret, StandardCharsets.UTF_8));
            }
            if (p.socket != null && !sshSet) {
                env.add("SSH_AUTH_SOCK=" + p.mount.target());
                sshSet = true;
            }
        }
        return env;
    }

    boolean isEmpty() {
        return planned.isEmpty();
    }

    private record Resolved(Path tree, String path, String identity) {
    }

    /** A bind's or cache's {@code from}: the context (empty), an earlier stage, or an image. */
    private Resolved resolveFrom(RunMount m, String from) {
        String source = BuildContext.cleanSource(m.source());
        if (from.isEmpty()) {
            Path tree = build.contextRoot();
            requireExists(tree, source, m, "the build context");
            return new Resolved(tree, source, null);
        }
        Integer stage = build.stageFor(from, location);
        Path tree;
        String identity;
        String origin;
        if (stage != null) {
            StageState s = build.finishedStage(stage);
            tree = s.topChainId() == null ? emptyDir() : build.runner().view(s.topChainId());
            identity = s.cacheKey;
            origin = "stage " + from;
        } else {
            build.flushPending();
            ImageService.Image image = build.copyFromImage(from, location);
            var layers = image.description().layers();
            tree = layers.isEmpty() ? emptyDir() : build.runner().view(layers.getLast().chainId());
            identity = image.id();
            origin = "image " + from;
        }
        requireExists(tree, source, m, origin);
        return new Resolved(tree, source, identity + (source.isEmpty() ? "" : ":" + source));
    }

    private static void requireExists(Path tree, String source, RunMount m, String origin) {
        try {
            if (!source.isEmpty() && !Files.exists(RootfsPaths.resolve(tree, "/" + source), LinkOption.NOFOLLOW_LINKS)) {
                throw new BuildException("RUN --mount: source " + m.source() + " not found in " + origin);
            }
        } catch (IOException e) {
            throw new BuildException("RUN --mount: source " + m.source() + " in " + origin + ": " + e.getMessage());
        }
    }

    private Path emptyDir() {
        try {
            return Files.createDirectories(build.scratch().resolve("empty-" + System.nanoTime()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<RuntimeSpecInput.MountSpec> prepare(Path rootfs) throws IOException {
        List<RuntimeSpecInput.MountSpec> specs = new ArrayList<>();
        for (Planned p : planned) {
            RunMount m = p.mount;
            if (m.target().isEmpty()) {
                continue; // a secret only in the environment
            }
            noteStub(rootfs, m.target());
            String ro = m.readOnly() ? "ro" : "rw";
            switch (m.type()) {
                case BIND -> {
                    Path host = p.treePath.isEmpty() ? p.tree : RootfsPaths.resolve(p.tree, "/" + p.treePath);
                    if (!m.readOnly() && p.tree.startsWith(build.contextRoot())) {
                        host = writableCopy(host); // the context is shared by builds: writes go to a copy
                    }
                    specs.add(new RuntimeSpecInput.MountSpec(m.target(), "bind", host.toString(), List.of("rbind", ro)));
                }
                case CACHE -> {
                    CacheMounts.Seed seed = p.tree == null ? null : dir -> CacheMounts.copyTree(p.tree, p.treePath, dir);
                    CacheMounts.Lease lease = build.service().cacheMounts().acquire(m, build.scratch(), seed);
                    held.add(lease);
                    build.record(new BuildEvent.BuildCacheMountUsed(build.buildId(), step, m.id(), m.target(), m.sharing(),
                            lease.created()));
                    specs.add(new RuntimeSpecInput.MountSpec(m.target(), "bind", lease.dir().toString(), List.of("rbind", ro)));
                }
                case TMPFS -> {
                    List<String> options = new ArrayList<>(List.of("nosuid", "nodev", "mode=1777"));
                    if (m.size() > 0) {
                        options.add("size=" + m.size());
                    }
                    specs.add(new RuntimeSpecInput.MountSpec(m.target(), "tmpfs", "tmpfs", options));
                }
                case SECRET -> {
                    Path file = privateDir().resolve("secret-" + specs.size());
                    Files.write(file, p.secret);
                    CacheMounts.setOwnerAndMode(file, m.uid(), m.gid(), m.mode());
                    specs.add(new RuntimeSpecInput.MountSpec(m.target(), "bind", file.toString(),
                            List.of("rbind", "ro", "nosuid", "nodev", "noexec")));
                }
                case SSH -> specs.add(new RuntimeSpecInput.MountSpec(m.target(), "bind", p.socket, List.of("rbind", "rw")));
            }
        }
        return specs;
    }

    @Override
    public void release(Path rootfs) throws IOException {
        for (AutoCloseable h : held) {
            try {
                h.close();
            } catch (Exception e) {
                // a lease's release cannot fail in a way the step could act on
            }
        }
        held.clear();
        if (privateDir != null) {
            BuildService.deleteTree(privateDir);
            privateDir = null;
        }
        for (Path stub : stubs.reversed()) {
            if (onlyStubs(stub)) {
                BuildService.deleteTree(stub);
            }
        }
        stubs.clear();
    }

    /** Remembers the first component of the target that the snapshot lacks: the runtime creates it for the mount. */
    private void noteStub(Path rootfs, String target) throws IOException {
        StringBuilder path = new StringBuilder();
        for (String part : target.substring(1).split("/")) {
            path.append('/').append(part);
            Path host = RootfsPaths.resolve(rootfs, path.toString());
            if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
                if (!stubs.contains(host)) {
                    stubs.add(host);
                }
                return;
            }
        }
    }

    /** Whether a path holds nothing but empty directories and empty files: mount points, not the command's work. */
    private static boolean onlyStubs(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            return walk.allMatch(p -> {
                try {
                    return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                            || Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) == 0;
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    private Path privateDir() throws IOException {
        if (privateDir == null) {
            privateDir = Files.createTempDirectory(build.scratch(), "mounts-");
            Files.setPosixFilePermissions(privateDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
        return privateDir;
    }

    private Path writableCopy(Path host) throws IOException {
        Path copy = privateDir().resolve("rw-" + System.nanoTime());
        if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(copy);
            CacheMounts.copyTree(host, "", copy);
        } else {
            Files.copy(host, copy, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        }
        return copy;
    }

    /** A digest of a tree's names, kinds, modes, link targets and contents (a bind of the context in the cache key). */
    static String treeDigest(Path tree, String path) {
        MessageDigest sha = Digests.newSha256();
        try {
            Path top = path.isEmpty() ? tree : RootfsPaths.resolve(tree, "/" + path);
            TreeMap<String, Path> entries = new TreeMap<>();
            try (Stream<Path> walk = Files.walk(top)) {
                walk.forEach(p -> entries.put(top.relativize(p).toString(), p));
            }
            for (Map.Entry<String, Path> e : entries.entrySet()) {
                Path p = e.getValue();
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                sha.update((e.getKey() + "\0" + Integer.toOctalString(mode) + "\0").getBytes(StandardCharsets.UTF_8));
                if (Files.isSymbolicLink(p)) {
                    sha.update(Files.readSymbolicLink(p).toString().getBytes(StandardCharsets.UTF_8));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (var in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                        byte[] buffer = new byte[65536];
                        for (int n; (n = in.read(buffer)) > 0; ) {
                            sha.update(buffer, 0, n);
                        }
                    }
                }
                sha.update((byte) '\n');
            }
        } catch (IOException e) {
            throw new BuildException("RUN --mount: cannot read " + (path.isEmpty() ? "the context" : path) + ": " + e.getMessage());
        }
        return Digests.sha256(sha);
    }
}
