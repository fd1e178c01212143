package io.berth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import io.berth.text.json.Json;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The Dockerfile corpus built by Docker's legacy builder and by berth, compared image by image.
 *
 * <p>Each directory of {@code src/test/dockerfile-corpus} holding a {@code Dockerfile} is a case: one rule of
 * the Dockerfile reference. Its files are the build context, except
 * <ul>
 *   <li>{@code prepare.sh}: run with {@code sh} in the copied context before the builds, for what git cannot
 *       hold (fifos, hard links, symbolic links, setuid bits, owners, empty directories, tar archives);</li>
 *   <li>{@code Dockerfile.docker}: the Dockerfile Docker builds instead, for a feature Docker 20.10's legacy
 *       builder lacks (heredocs, {@code --chmod}, {@code COPY --link/--exclude/--parents}, {@code ADD --checksum});
 *       it must give the same image by other means.</li>
 * </ul>
 * A case named {@code refuse-…} passes when both builders refuse it. The Dockerfile may use the build
 * argument {@code HTTP_BASE}, the address of a loopback HTTP server serving {@code _served/}.
 *
 * <p>The test starts its own dockerd 20.10 (own data root, exec root, pid file and socket, no bridge; builds
 * with {@code --network none}) and its own berth daemon, loads the example's busybox base into both, builds
 * every case with both, saves all images of each side in one archive, flattens each image's layers (applying
 * whiteouts) and compares the image config and the file system entry by entry. One dynamic test per case.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerfileCorpusIT {
    private static final Path CORPUS = Path.of("src", "test", "dockerfile-corpus").toAbsolutePath();
    private static final String BASE = "berth-example/busybox:latest";
    private static final String DOCKER = "/usr/bin/docker";
    private static final String DOCKERD = "/usr/sbin/dockerd";
    /** The config fields compared (Docker's {@code config} object of the image). */
    private static final List<String> CONFIG_FIELDS = List.of("Env", "Cmd", "Entrypoint", "WorkingDir", "User",
            "ExposedPorts", "Volumes", "Labels", "StopSignal", "Healthcheck", "Shell", "OnBuild");

    private Path tmp;
    private BerthDist berth;
    private Path berthRoot;
    private String berthHost;
    private Path dockerSocket;
    private Process dockerd;
    private HttpServer http;
    private Map<String, BerthDist.Result> byDocker;
    private Map<String, BerthDist.Result> byBerth;

    @BeforeAll
    void start() throws Exception {
        for (String tool : List.of(DOCKERD, DOCKER, "/usr/bin/xz", "/usr/bin/bzip2", "/usr/bin/zstd")) {
            assertTrue(Files.isExecutable(Path.of(tool)), tool + " is missing: setup/host-packages.sh installs it");
        }
        tmp = Files.createTempDirectory("berth-corpus-it");
        berth = BerthDist.get();
        berthRoot = tmp.resolve("berth");
        berthHost = "unix://" + tmp.resolve("berth.sock");
        dockerSocket = tmp.resolve("docker.sock");
        dockerd = new ProcessBuilder(DOCKERD, "--data-root", tmp.resolve("docker").toString(),
                "--exec-root", tmp.resolve("docker-exec").toString(), "--pidfile", tmp.resolve("docker.pid").toString(),
                "-H", "unix://" + dockerSocket, "--bridge=none", "--iptables=false", "--ip-masq=false",
                "--userland-proxy=false").redirectErrorStream(true)
                .redirectOutput(tmp.resolve("dockerd.log").toFile()).start();
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        Path served = CORPUS.resolve("_served");
        http.createContext("/", exchange -> {
            Path file = served.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(served) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                byte[] body = Files.readAllBytes(file);
                exchange.getResponseHeaders().add("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        http.start();

        Path base = tmp.resolve("base.tar");
        Process p = new ProcessBuilder(Path.of("..", "examples", "demo", "base-image.sh").toString(), "--save", base.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        BerthDist.Result loaded = berth("load", "-i", base.toString());
        assertEquals(0, loaded.exitCode(), loaded.err());
        for (int i = 0; i < 150 && docker(30, "version").exitCode() != 0; i++) {
            Thread.sleep(200);
        }
        BerthDist.Result dockerLoaded = docker(120, "load", "-i", base.toString());
        assertEquals(0, dockerLoaded.exitCode(), "dockerd did not start or load: " + dockerLoaded.err() + "\n"
                + Files.readString(tmp.resolve("dockerd.log")));
    }

    @AfterAll
    void stop() throws Exception {
        if (http != null) {
            http.stop(0);
        }
        if (berthRoot != null) {
            BerthDist.stopDaemon(berthRoot.resolve("berth.pid"));
        }
        if (dockerd != null) {
            dockerd.destroy();
            if (!dockerd.waitFor(30, TimeUnit.SECONDS)) {
                dockerd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            // dockerd leaves its exec root's mounts (netns, the data root's own bind) behind it
            for (String dir : List.of("docker-exec", "docker")) {
                new ProcessBuilder("umount", "-R", "-l", tmp.resolve(dir).toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (tmp != null && !Files.readString(Path.of("/proc/self/mounts")).contains(tmp.toString())) {
            new ProcessBuilder("rm", "-rf", tmp.toString()).start().waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** A case's outcome on one side: the build's result, then its image once saved. */
    private record Built(BerthDist.Result result, Image image) {
    }

    @TestFactory
    Stream<DynamicTest> everyCaseBuildsTheSameImageAsDocker() throws Exception {
        List<String> cases = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(CORPUS)) {
            dirs.filter(d -> Files.isRegularFile(d.resolve("Dockerfile")) && !d.getFileName().toString().startsWith("_"))
                    .map(d -> d.getFileName().toString()).sorted().forEach(cases::add);
        }
        assertTrue(cases.size() >= 100, "the corpus has " + cases.size() + " cases");
        // -Dcorpus.only=REGEX builds only the matching cases (and their bases), for working on a few
        String only = System.getProperty("corpus.only", "");
        if (!only.isEmpty()) {
            cases.removeIf(name -> !name.matches(only) && !name.equals("onbuild-a-parent"));
        }
        Map<String, Path> contexts = new LinkedHashMap<>();
        for (String name : cases) {
            contexts.put(name, prepareContext(name));
        }
        // Docker's builds and berth's run side by side, two at a time on each side (a build mostly waits on
        // its daemon); a case built on another case's image ("FROM corpus-…") waits for the others.
        List<String> dependent = new ArrayList<>();
        for (String name : cases) {
            if (Files.readString(CORPUS.resolve(name).resolve("Dockerfile")).contains("FROM corpus-")) {
                dependent.add(name);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<Map<String, BerthDist.Result>> dockerBuilds = pool.submit(() -> buildAll("Docker", cases, dependent,
                    name -> dockerBuild(name, contexts.get(name))));
            Future<Map<String, BerthDist.Result>> berthBuilds = pool.submit(() -> buildAll("berth", cases, dependent,
                    name -> berthBuild(name, contexts.get(name))));
            byDocker = dockerBuilds.get(20, TimeUnit.MINUTES);
            byBerth = berthBuilds.get(20, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }

        Map<String, Image> dockerImages = saveAll(byDocker, true);
        Map<String, Image> berthImages = saveAll(byBerth, false);
        Map<String, BerthDist.Result> byDocker = this.byDocker;
        Map<String, BerthDist.Result> byBerth = this.byBerth;
        return cases.stream().map(name -> DynamicTest.dynamicTest(name, () -> compare(name,
                new Built(byDocker.get(name), dockerImages.get(tag(name))),
                new Built(byBerth.get(name), berthImages.get(tag(name))))));
    }

    /** One case's build on one side. */
    @FunctionalInterface
    private interface CaseBuild {
        BerthDist.Result build(String name) throws Exception;
    }

    /** Builds the cases on one side, two at a time, then those built on another case's image. */
    private static Map<String, BerthDist.Result> buildAll(String side, List<String> cases, List<String> dependent, CaseBuild build)
            throws Exception {
        long t0 = System.nanoTime();
        Map<String, BerthDist.Result> results = new java.util.concurrent.ConcurrentHashMap<>();
        ExecutorService builders = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (String name : cases) {
                if (!dependent.contains(name)) {
                    running.add(builders.submit(() -> results.put(name, build.build(name))));
                }
            }
            for (Future<?> f : running) {
                f.get(20, TimeUnit.MINUTES);
            }
        } finally {
            builders.shutdownNow();
        }
        for (String name : dependent) {
            results.put(name, build.build(name));
        }
        System.out.printf("DockerfileCorpusIT: %s built %d cases in %d ms%n", side, cases.size(), (System.nanoTime() - t0) / 1_000_000);
        return results;
    }

    private static String tag(String name) {
        return "corpus-" + name + ":latest";
    }

    private Path prepareContext(String name) throws IOException, InterruptedException {
        Path source = CORPUS.resolve(name);
        Path context = Files.createDirectories(tmp.resolve("contexts").resolve(name));
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String relative = source.relativize(f).toString();
                if (relative.equals("prepare.sh") || relative.equals("Dockerfile.docker") || relative.isEmpty()) {
                    continue;
                }
                Path target = context.resolve(relative);
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        if (Files.exists(source.resolve("prepare.sh"))) {
            Process p = new ProcessBuilder("sh", "-eu", source.resolve("prepare.sh").toString()).directory(context.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), name + "/prepare.sh failed: " + out);
        }
        return context;
    }

    private List<String> buildArgs(String name) throws IOException {
        String dockerfile = Files.readString(CORPUS.resolve(name).resolve("Dockerfile"));
        return dockerfile.contains("HTTP_BASE")
                ? List.of("--build-arg", "HTTP_BASE=http://127.0.0.1:" + http.getAddress().getPort())
                : List.of();
    }

    private BerthDist.Result dockerBuild(String name, Path context) throws Exception {
        List<String> args = new ArrayList<>(List.of("build", "--network", "none", "-t", tag(name)));
        args.addAll(buildArgs(name));
        Path alternative = CORPUS.resolve(name).resolve("Dockerfile.docker");
        if (Files.exists(alternative)) {
            args.addAll(List.of("-f", alternative.toString()));
        }
        args.add(context.toString());
        return docker(300, args.toArray(String[]::new));
    }

    private BerthDist.Result berthBuild(String name, Path context) throws Exception {
        List<String> args = new ArrayList<>(List.of("build", "--network", "none", "-t", tag(name)));
        args.addAll(buildArgs(name));
        args.add(context.toString());
        return berth(args.toArray(String[]::new));
    }

    private BerthDist.Result berth(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-H", berthHost, "--root", berthRoot.toString()));
        all.addAll(List.of(args));
        return berth.run(Map.of(), null, 300, all.toArray(String[]::new));
    }

    private BerthDist.Result docker(int timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(DOCKER, "-H", "unix://" + dockerSocket));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "docker-out", ".txt");
        Path err = Files.createTempFile(tmp, "docker-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().remove("DOCKER_HOST"); // failsafe points it at another test's daemon
            pb.environment().put("DOCKER_BUILDKIT", "0");
            pb.environment().put("DOCKER_CONFIG", tmp.resolve("docker-config").toString());
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("docker " + String.join(" ", args) + " did not finish in " + timeoutSeconds + " s");
            }
            return new BerthDist.Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Saves every image that built, in one archive per side, and reads each image out of it. */
    private Map<String, Image> saveAll(Map<String, BerthDist.Result> builds, boolean byDocker) throws Exception {
        List<String> tags = builds.entrySet().stream().filter(e -> e.getValue().exitCode() == 0)
                .map(e -> tag(e.getKey())).sorted().toList();
        if (tags.isEmpty()) {
            return Map.of();
        }
        Path archive = tmp.resolve(byDocker ? "docker-save.tar" : "berth-save.tar");
        List<String> args = new ArrayList<>(List.of("save", "-o", archive.toString()));
        args.addAll(tags);
        BerthDist.Result saved = byDocker ? docker(600, args.toArray(String[]::new)) : berth(args.toArray(String[]::new));
        assertEquals(0, saved.exitCode(), (byDocker ? "docker" : "berth") + " save: " + saved.err());
        return SavedArchive.read(archive);
    }

    private void compare(String name, Built docker, Built berthSide) {
        boolean refuse = name.startsWith("refuse-");
        int d = docker.result().exitCode();
        int b = berthSide.result().exitCode();
        if (refuse) {
            assertTrue(d != 0, name + ": Docker should refuse it but built it");
            assertTrue(b != 0, name + ": berth should refuse it (Docker does: " + lastLines(docker.result().err()) + ")"
                    + " but built it:\n" + lastLines(berthSide.result().out()));
            return;
        }
        if (d != 0) {
            fail(name + ": Docker failed to build it:\n" + lastLines(docker.result().out() + docker.result().err()));
        }
        if (b != 0) {
            fail(name + ": berth failed to build it:\n" + lastLines(berthSide.result().out() + berthSide.result().err()));
        }
        List<String> differences = Deviations.differences(docker.image(), berthSide.image());
        if (!differences.isEmpty()) {
            fail(name + ": " + differences.size() + " difference(s) from Docker's image (docker | berth):\n  "
                    + String.join("\n  ", differences.subList(0, Math.min(40, differences.size()))));
        }
    }

    private static String lastLines(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 12), lines.size()));
    }

    /**
     * The differences between Docker's image and berth's that are allowed, in one place; every other
     * difference fails. The reasons are in ARCHITECTURE.md ("Builds", the Docker-differential corpus):
     * <ul>
     *   <li>times (modification times of files, the image's creation time, history entries) are not compared:
     *       berth clamps them to the build's epoch for reproducible images, Docker keeps the sources' times
     *       and the clock's;</li>
     *   <li>the root directory's own entry is not compared: a layer tar may or may not carry {@code ./};</li>
     *   <li>only the config fields of {@link #CONFIG_FIELDS} are compared (not {@code Image}, {@code Hostname},
     *       the legacy {@code container_config}, or the history's created-by text), and an absent field
     *       equals a {@code null} one or an empty string (Docker 20.10 writes {@code "User": ""}).</li>
     * </ul>
     */
    static final class Deviations {
        static List<String> differences(Image docker, Image berth) {
            List<String> out = new ArrayList<>();
            for (String field : CONFIG_FIELDS) {
                Object d = emptyIsAbsent(docker.config().get(field));
                Object b = emptyIsAbsent(berth.config().get(field));
                if (!Objects.equals(d, b)) {
                    out.add("config " + field + ": " + Json.write(d) + " | " + Json.write(b));
                }
            }
            if (!Objects.equals(docker.author(), berth.author())) {
                out.add("author: " + Json.write(docker.author()) + " | " + Json.write(berth.author()));
            }
            TreeSet<String> paths = new TreeSet<>(docker.files().keySet());
            paths.addAll(berth.files().keySet());
            paths.remove("/");
            for (String path : paths) {
                FileEntry d = docker.files().get(path);
                FileEntry b = berth.files().get(path);
                if (!Objects.equals(d, b)) {
                    out.add(path + ": " + (d == null ? "(absent)" : d) + " | " + (b == null ? "(absent)" : b));
                }
            }
            return out;
        }

        /** Docker 20.10 writes {@code "User": ""} and {@code "WorkingDir": ""} where BuildKit leaves them out. */
        private static Object emptyIsAbsent(Object value) {
            return "".equals(value) ? null : value;
        }
    }

    /** One path of a flattened image: everything compared (times are not, see {@link Deviations}). */
    record FileEntry(String type, String mode, long uid, long gid, long size, String digest, String linkTarget,
            List<String> hardLinkedWith, Map<String, String> xattrs) {
        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(type).append(' ').append(mode).append(' ').append(uid).append(':').append(gid);
            if (type.equals("file")) {
                s.append(" size=").append(size).append(" sha256=").append(digest.substring(0, 12));
            }
            if (linkTarget != null) {
                s.append(" -> ").append(linkTarget);
            }
            if (!hardLinkedWith.isEmpty()) {
                s.append(" hardlinks=").append(hardLinkedWith);
            }
            if (!xattrs.isEmpty()) {
                s.append(" xattrs=").append(xattrs);
            }
            return s.toString();
        }
    }

    /** An image of a saved archive: its config object and its flattened file system. */
    record Image(Object author, Map<String, Object> config, Map<String, FileEntry> files) {
    }

    /** Reads a {@code docker save} archive (Docker's or berth's): each image by its tags, layers flattened. */
    static final class SavedArchive {
        static Map<String, Image> read(Path archive) throws IOException {
            Map<String, byte[]> members = new HashMap<>();
            Map<String, String> symlinks = new HashMap<>();
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(archive)))) {
                for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                    if (e.isSymbolicLink()) {
                        // Docker's save stores a layer shared by several images once, the others link to it
                        symlinks.put(normalise(e.getName()), Path.of(normalise(e.getName())).resolveSibling(e.getLinkName())
                                .normalize().toString());
                    } else if (e.isFile()) {
                        members.put(normalise(e.getName()), tar.readAllBytes());
                    }
                }
            }
            symlinks.forEach((link, target) -> members.put(link, members.get(target)));
            Map<String, Image> images = new HashMap<>();
            for (Object item : Json.list(Json.parse(members.get("manifest.json")))) {
                Map<String, Object> manifest = Json.object(item);
                Map<String, Object> config = Json.object(Json.parse(members.get(normalise((String) manifest.get("Config")))));
                Object inner = config.get("config");
                @SuppressWarnings("unchecked")
                Map<String, Object> runConfig = inner instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
                Flattened fs = new Flattened();
                for (Object layer : Json.list(manifest.get("Layers"))) {
                    fs.apply(members.get(normalise((String) layer)));
                }
                Image image = new Image(emptyAuthor(config.get("author")), runConfig, fs.entries());
                for (Object t : Json.list(manifest.get("RepoTags"))) {
                    images.put((String) t, image);
                }
            }
            return images;
        }

        private static Object emptyAuthor(Object author) {
            return "".equals(author) ? null : author;
        }

        private static String normalise(String name) {
            return name.startsWith("./") ? name.substring(2) : name;
        }
    }

    /** A file system built up layer by layer, whiteouts applied, hard links kept as shared inodes. */
    static final class Flattened {
        private record Node(String type, long mode, long uid, long gid, long size, String digest, String linkTarget,
                Map<String, String> xattrs, int inode) {
        }

        private final TreeMap<String, Node> nodes = new TreeMap<>();
        private int nextInode;

        void apply(byte[] layer) throws IOException {
            InputStream in = new ByteArrayInputStream(layer);
            if (layer.length > 2 && (layer[0] & 0xff) == 0x1f && (layer[1] & 0xff) == 0x8b) {
                in = new GZIPInputStream(in);
            }
            try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                    String path = path(e.getName());
                    String base = path.substring(path.lastIndexOf('/') + 1);
                    String parent = path.substring(0, path.lastIndexOf('/'));
                    if (base.equals(".wh..wh..opq")) {
                        removeBelow(parent.isEmpty() ? "/" : parent);
                        continue;
                    }
                    if (base.startsWith(".wh.")) {
                        String gone = parent + "/" + base.substring(4);
                        nodes.remove(gone);
                        removeBelow(gone);
                        continue;
                    }
                    Node old = nodes.get(path);
                    if (old != null && !(old.type.equals("dir") && e.isDirectory())) {
                        removeBelow(path);
                    }
                    if (e.isLink()) {
                        Node target = nodes.get(path(e.getLinkName()));
                        if (target == null) {
                            throw new IOException("hard link " + path + " to " + e.getLinkName() + " which the layer does not hold");
                        }
                        nodes.put(path, target);
                        continue;
                    }
                    Map<String, String> xattrs = new TreeMap<>();
                    e.getExtraPaxHeaders().forEach((k, v) -> {
                        if (k.startsWith("SCHILY.xattr.")) {
                            xattrs.put(k.substring("SCHILY.xattr.".length()), v);
                        }
                    });
                    String type;
                    String digest = null;
                    String linkTarget = null;
                    long size = 0;
                    if (e.isDirectory()) {
                        type = "dir";
                    } else if (e.isSymbolicLink()) {
                        type = "symlink";
                        linkTarget = e.getLinkName();
                    } else if (e.isFIFO()) {
                        type = "fifo";
                    } else if (e.isCharacterDevice() || e.isBlockDevice()) {
                        type = (e.isCharacterDevice() ? "char " : "block ") + e.getDevMajor() + "," + e.getDevMinor();
                    } else {
                        type = "file";
                        byte[] content = tar.readAllBytes();
                        size = content.length;
                        digest = sha256(content);
                    }
                    nodes.put(path, new Node(type, e.getMode() & 07777, e.getLongUserId(), e.getLongGroupId(), size, digest,
                            linkTarget, xattrs, nextInode++));
                }
            }
        }

        private void removeBelow(String dir) {
            String prefix = dir.equals("/") ? "/" : dir + "/";
            nodes.subMap(prefix, prefix + Character.MAX_VALUE).clear();
        }

        private static String path(String name) {
            String p = name.startsWith("./") ? name.substring(1) : name.startsWith("/") ? name : "/" + name;
            if (p.length() > 1 && p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            return p.equals("/.") ? "/" : p;
        }

        Map<String, FileEntry> entries() {
            Map<Integer, List<String>> byInode = new HashMap<>();
            nodes.forEach((path, node) -> byInode.computeIfAbsent(node.inode, i -> new ArrayList<>()).add(path));
            Map<String, FileEntry> out = new TreeMap<>();
            nodes.forEach((path, n) -> {
                List<String> others = byInode.get(n.inode).stream().filter(p -> !p.equals(path)).sorted().toList();
                out.put(path, new FileEntry(n.type, String.format("%04o", n.mode), n.uid, n.gid, n.size, n.digest,
                        n.linkTarget, n.type.equals("dir") ? List.of() : others, n.xattrs));
            });
            return out;
        }

        private static String sha256(byte[] content) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
