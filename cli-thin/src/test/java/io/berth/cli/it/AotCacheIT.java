package io.berth.cli.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The CLI's and the daemon's AOT caches ({@code lib/cli/berth-cli.aot}, {@code lib/cli/berth-quick.aot} for the
 * commands {@code QuickCommands} reads, {@code lib/engine/berth-daemon.aot}) are
 * the ones the launcher opens and the JVM uses, on the launcher's real command line: a cache that is missing,
 * rejected (other JVM options, another JDK) or trained on other jars fails the build instead of silently
 * slowing every command.
 *
 * <p>The signal is the JVM's own class-loading log ({@code -Xlog:class+load}, added through
 * {@code BERTH_CLI_JAVA_OPTS} / {@code BERTH_DAEMON_JAVA_OPTS}, which the launcher appends to its options;
 * logging options do not affect whether a cache is accepted): a class taken from the cache is logged with
 * {@code source: shared objects file}, one read from a jar with {@code source: file:…}. The JVM's verdict alone
 * is not enough: JDK 25 keeps using a cache after a jar of its class path was rewritten (measured: same
 * classes from the cache after {@code touch} and after adding an entry to {@code berth-cli.jar}), so it would
 * serve the classes it archived. The launcher writes the digests of the jars it trained on beside each cache
 * ({@code NAME.aot.jars}) and this test compares them with the installed jars.
 */
class AotCacheIT {
    /** The commands a user runs every day, all in the CLI's AOT training. */
    private static final List<List<String>> EVERYDAY = List.of(List.of("version"), List.of("info"), List.of("ps"),
            List.of("ps", "-a"), List.of("images"), List.of("image", "ls"), List.of("plugin", "ls"),
            List.of("volume", "ls"), List.of("network", "ls"), List.of("container", "ls"));
    /** The everyday commands {@code QuickCommands} reads, which the launcher runs with {@code berth-quick.aot}. */
    private static final List<List<String>> QUICK = List.of(List.of("version"), List.of("ps"), List.of("ps", "-a"),
            List.of("images"), List.of("image", "ls"), List.of("container", "ls"));

    @TempDir
    Path tmp;

    private Path pidFile;

    @AfterEach
    void stopDaemon() throws Exception {
        if (pidFile != null) {
            BerthDist.stopDaemon(pidFile);
        }
    }

    @Test
    void givenTheInstallation_whenEverydayCommandsRun_thenBerthsAndPicocliClassesAllComeFromTheCliCache() throws Exception {
        BerthDist berth = BerthDist.get();
        assertTrainedOnTheInstalledJars(berth.dist.resolve("lib/cli"), "berth-cli.aot");
        assertTrainedOnTheInstalledJars(berth.dist.resolve("lib/cli"), "berth-quick.aot");
        String host = startDaemon(berth, Map.of());

        List<List<String>> commands = new ArrayList<>(EVERYDAY);
        commands.add(List.of("--version"));
        for (List<String> command : commands) {
            Path classes = tmp.resolve("cli-classes.txt");
            Files.deleteIfExists(classes);
            List<String> args = new ArrayList<>(List.of("-H", host));
            args.addAll(command);
            Path inits = tmp.resolve("cli-inits.txt");
            Files.deleteIfExists(inits);
            BerthDist.Result result = berth.run(Map.of("BERTH_CLI_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes
                    + " -Xlog:class+init=info:file=" + inits), null, 60, args.toArray(new String[0]));
            assertEquals(0, result.exitCode(), "berth " + command + ": " + result.err());
            ClassLoads loads = ClassLoads.read(classes);
            String cache = QUICK.contains(command) ? "lib/cli/berth-quick.aot" : "lib/cli/berth-cli.aot";
            assertTrue(loads.fromCache("io.berth.cli.Main"), "berth " + command + " did not take io.berth.cli.Main from "
                    + berth.dist.resolve(cache) + ": the cache is missing or the JVM rejected it (rebuild"
                    + " with mvn package; run with BERTH_CLI_JAVA_OPTS=-Xlog:aot to see why)");
            List<String> fromJars = loads.fromJars("io.berth.", "picocli.");
            assertEquals(List.of(), fromJars, "berth " + command + " loaded these classes from its jar, not from the AOT"
                    + " cache: train the cache on this command (io.berth.cli.training.AotTraining)");
            if (QUICK.contains(command)) {
                // read by QuickCommands with the quick cache, which holds no picocli model: picocli's
                // classes in it would be loaded and linked at every start for nothing
                assertTrue(loads.countFromCache("picocli.") < 5, "berth " + command + " loaded picocli's model from "
                        + cache + ": the quick cache was trained on other commands");
                // nor the other commands' classes, which the command table names, nor the security providers
                // that a SecureRandom (a temporary file's name) sets up: every class of the cache is loaded at start
                List<String> strays = new ArrayList<>();
                for (String name : List.of("io.berth.cli.commands.RunCommand", "io.berth.cli.CommandTable",
                        "sun.security.provider.Sun", "java.security.SecureRandom")) {
                    if (loads.loaded(name)) {
                        strays.add(name);
                    }
                }
                assertEquals(List.of(), strays, "berth " + command + " loaded classes it does not use from " + cache);
                String initialised = Files.readString(inits);
                assertTrue(initialised.contains("'io/berth/cli/QuickCommands$Line'"), "berth " + command
                        + " was not read by the dispatch table");
                // its socket through the JDK's attach library, not NIO, whose set-up builds the SUN provider
                assertTrue(initialised.contains("'sun/tools/attach/VirtualMachineImpl'"), "berth " + command
                        + " did not connect through the attach library (is the CLI run with java -jar?)");
                assertTrue(!initialised.contains("'sun/nio/ch/UnixDomainSockets'"), "berth " + command
                        + " initialised NIO's Unix-domain sockets");
            }
        }
    }

    @Test
    void givenTheInstallation_whenTheDaemonStarts_thenItsClassesComeFromTheDaemonCache() throws Exception {
        BerthDist berth = BerthDist.get();
        assertTrainedOnTheInstalledJars(berth.dist.resolve("lib/engine"), "berth-daemon.aot");
        Path classes = tmp.resolve("daemon-classes.txt");
        String host = startDaemon(berth, Map.of("BERTH_DAEMON_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes));
        for (List<String> command : EVERYDAY) {
            List<String> args = new ArrayList<>(List.of("-H", host));
            args.addAll(command);
            BerthDist.Result result = berth.run(60, args.toArray(new String[0]));
            assertEquals(0, result.exitCode(), "berth " + command + ": " + result.err());
        }
        BerthDist.stopDaemon(pidFile);
        pidFile = null;

        ClassLoads loads = ClassLoads.read(classes);
        for (String name : List.of("io.berth.engine.daemon.DaemonMain", "io.berth.engine.daemon.Daemon",
                "io.berth.engine.api.ApiServer", "io.berth.eventlog.ChronicleEventLog", "org.eclipse.jetty.server.Server")) {
            assertTrue(loads.fromCache(name), name + " was not taken from " + berth.dist.resolve("lib/engine/berth-daemon.aot")
                    + ": the cache is missing or the JVM rejected it (rebuild with mvn package; run with"
                    + " BERTH_DAEMON_JAVA_OPTS=-Xlog:aot to see why)");
        }
        // berth's own classes on the engine's class path (plugins load through PF4J's class loaders, which the
        // JDK's cache does not serve): all but a few loaded only on paths the training does not take.
        List<String> fromJars = loads.fromJars("io.berth.engine.", "io.berth.eventlog.", "io.berth.spi.");
        long cached = loads.countFromCache("io.berth.engine.", "io.berth.eventlog.", "io.berth.spi.");
        assertTrue(cached > 200 && fromJars.size() * 20 < cached, "the daemon loaded " + fromJars.size()
                + " of berth's classes from jars, " + cached + " from the AOT cache: " + fromJars);
    }

    /** Starts a daemon on a private root and socket with extra environment; returns its host once it answers. */
    private String startDaemon(BerthDist berth, Map<String, String> env) throws Exception {
        Path root = tmp.resolve("root");
        Files.createDirectories(root);
        Path sock = tmp.resolve("berth.sock");
        pidFile = tmp.resolve("berth.pid");
        Path log = tmp.resolve("daemon.log");
        Process daemon = berth.startDaemon(env, log, "--root", root.toString(), "-H", "unix://" + sock,
                "--pidfile", pidFile.toString());
        String host = "unix://" + sock;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && daemon.isAlive()) {
            if (Files.exists(sock) && berth.run(Map.of("BERTH_NO_AUTOSTART", "1"), null, 30, "-H", host, "version").exitCode() == 0) {
                return host;
            }
            Thread.sleep(100);
        }
        fail("the daemon did not answer; log:\n" + Files.readString(log));
        return host;
    }

    /** Fails unless {@code DIR/CACHE} exists and {@code DIR/CACHE.jars} names exactly the jars in DIR, by digest. */
    private static void assertTrainedOnTheInstalledJars(Path dir, String cache) throws IOException {
        Path aot = dir.resolve(cache);
        Path trained = dir.resolve(cache + ".jars");
        assertTrue(Files.isRegularFile(aot), "no AOT cache " + aot + ": the build trains it (mvn -DskipTests package)");
        assertTrue(Files.isRegularFile(trained), "no " + trained + " beside the AOT cache: the launcher writes it when it trains");
        Map<String, String> recorded = new TreeMap<>();
        for (String line : Files.readAllLines(trained)) {
            String[] digestAndName = line.strip().split("\\s+\\*?", 2);
            if (digestAndName.length == 2) {
                recorded.put(digestAndName[1], digestAndName[0]);
            }
        }
        Map<String, String> installed = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path jar : files.filter(p -> p.getFileName().toString().endsWith(".jar")).toList()) {
                installed.put(jar.getFileName().toString(), sha256(jar));
            }
        }
        assertEquals(recorded, installed, aot + " was trained on other jars than " + dir + " holds; the JDK would serve"
                + " the classes it archived: rebuild with mvn -DskipTests package");
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JVM's {@code -Xlog:class+load} lines: class name to source. */
    private record ClassLoads(Map<String, String> sources) {
        static ClassLoads read(Path file) throws IOException {
            assertTrue(Files.isRegularFile(file), "the JVM wrote no class-loading log at " + file);
            Map<String, String> sources = new TreeMap<>();
            for (String line : Files.readAllLines(file)) {
                int tag = line.indexOf("[class,load] ");
                int source = line.indexOf(" source: ");
                if (tag >= 0 && source > tag) {
                    sources.put(line.substring(tag + "[class,load] ".length(), source), line.substring(source + " source: ".length()));
                }
            }
            assertTrue(sources.size() > 100, "too few classes in the class-loading log " + file);
            return new ClassLoads(sources);
        }

        boolean loaded(String name) {
            return sources.containsKey(name);
        }

        boolean fromCache(String name) {
            return "shared objects file".equals(sources.get(name));
        }

        /** Classes named with one of the prefixes that were read from a jar (hidden classes have no file source). */
        List<String> fromJars(String... prefixes) {
            List<String> found = new ArrayList<>();
            sources.forEach((name, source) -> {
                if (source.startsWith("file:") && matches(name, prefixes)) {
                    found.add(name);
                }
            });
            return found;
        }

        long countFromCache(String... prefixes) {
            return sources.entrySet().stream().filter(e -> matches(e.getKey(), prefixes) && fromCache(e.getKey())).count();
        }

        private static boolean matches(String name, String[] prefixes) {
            for (String prefix : prefixes) {
                if (name.startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        }
    }
}
