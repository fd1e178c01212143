package io.berth.engine.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.BerthVersion;
import io.berth.engine.api.ApiServer;
import io.berth.eventlog.kafka.KafkaMirror;
import io.berth.eventlog.kafka.KafkaMirrorConfig;
import io.berth.text.time.GoDuration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code berth daemon}: parses dockerd-like flags and the daemon config file, starts the
 * {@link Daemon} and runs it until SIGTERM or SIGINT, then stops it gracefully.
 */
@Command(name = "berth daemon", mixinStandardHelpOptions = true, versionProvider = DaemonMain.Version.class,
        description = "Run the berth daemon: the event log, the plugins and the API on a Unix socket.")
public final class DaemonMain implements Callable<Integer> {
    static {
        // Chronicle Queue must never phone home; set before any Chronicle class loads.
        System.setProperty("chronicle.analytics.disable", "true");
    }

    private static final Path DEFAULT_CONFIG_FILE = Path.of("/etc/berth/daemon.json");
    private static final Set<String> CONFIG_KEYS = Set.of("root", "data-root", "host", "hosts", "pidfile",
            "plugins-dir", "snapshot-every", "plugins", "max-concurrent-downloads", "insecure-registries",
            "kafka-bootstrap-servers", "kafka-topic", "kafka-properties", "add-url-max-size", "add-url-timeout",
            "bip", "default-address-pools");

    @Option(names = {"--root", "--data-root"}, paramLabel = "DIR", description = "Root directory of persistent state (default: $BERTH_ROOT or /var/lib/berth).")
    Path root;

    @Option(names = {"-H", "--host"}, paramLabel = "unix://PATH", description = "Socket to listen on (default: unix:///run/berth/berth.sock).")
    String host;

    @Option(names = {"-p", "--pidfile"}, paramLabel = "FILE", description = "Pid file (default: /run/berth/berth.pid).")
    Path pidFile;

    @Option(names = "--plugins-dir", paramLabel = "DIR", description = "Directory of plugin jars; repeatable (default: the installation's plugins and <root>/plugins).")
    List<Path> pluginDirs = new ArrayList<>();

    @Option(names = "--snapshot-every", paramLabel = "N", description = "Events between projection snapshots (default: 10000).")
    Long snapshotEvery;

    @Option(names = "--max-concurrent-downloads", paramLabel = "N", description = "Layers a pull downloads at once (default: 3).")
    Integer maxConcurrentDownloads;

    @Option(names = "--bip", paramLabel = "CIDR", description = "The default network bridge's address and subnet, as dockerd's (e.g. 10.213.0.1/24).")
    String bip;

    @Option(names = "--insecure-registry", paramLabel = "HOST:PORT", description = "A registry to reach over plain HTTP; repeatable (loopback registries always are).")
    List<String> insecureRegistries = new ArrayList<>();

    @Option(names = "--kafka-bootstrap-servers", paramLabel = "HOST:PORT[,…]", description = "Mirror every event to these Kafka brokers (default: off).")
    String kafkaBootstrapServers;

    @Option(names = "--kafka-topic", paramLabel = "TOPIC", description = "The Kafka topic the mirror writes (default: berth.events).")
    String kafkaTopic;

    @Option(names = "--kafka-properties", paramLabel = "KEY=VALUE", description = "A Kafka producer property for the mirror (TLS, SASL, …); repeatable.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--add-url-max-size", paramLabel = "BYTES", description = "The largest file a build's ADD <url> downloads: bytes or 512k, 100m, 2g (default: 1g).")
    String addUrlMaxSize;

    @Option(names = "--add-url-timeout", paramLabel = "DURATION", description = "The time a build's ADD <url> download may take: 90s, 10m, 1h (default: 10m).")
    String addUrlTimeout;

    @Option(names = "--config-file", paramLabel = "FILE", description = "Daemon configuration file (default: /etc/berth/daemon.json when it exists).")
    Path configFile;

    public static void main(String[] args) {
        DaemonMain plain = plainFlags(args);
        if (plain != null) {
            // picocli builds its model of this class by reflection: ~0.3-1 s of a cold start (docs/PERFORMANCE.md)
            try {
                System.exit(plain.call());
            } catch (Exception e) {
                System.err.println("berth daemon: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                System.exit(1);
            }
        }
        CommandLine commandLine = new CommandLine(new DaemonMain());
        commandLine.setParameterExceptionHandler((e, a) -> {
            System.err.println("berth daemon: " + e.getMessage());
            System.err.println("See 'berth daemon --help'.");
            return 125;
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            System.err.println("berth daemon: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        System.exit(commandLine.execute(args));
    }

    /**
     * The flags of an everyday start, read without picocli: each a known option with its value as the next
     * argument or after {@code =}. Anything else (help, version, an unknown or malformed flag) returns
     * {@code null}, and picocli parses the command line, with its messages.
     */
    static DaemonMain plainFlags(String[] args) {
        DaemonMain main = new DaemonMain();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value;
            int eq = name.indexOf('=');
            if (name.startsWith("--") && eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                return null;
            }
            try {
                switch (name) {
                    case "--root", "--data-root" -> main.root = Path.of(value);
                    case "-H", "--host" -> main.host = value;
                    case "-p", "--pidfile" -> main.pidFile = Path.of(value);
                    case "--plugins-dir" -> main.pluginDirs.add(Path.of(value));
                    case "--snapshot-every" -> main.snapshotEvery = Long.valueOf(value);
                    case "--max-concurrent-downloads" -> main.maxConcurrentDownloads = Integer.valueOf(value);
                    case "--bip" -> main.bip = value;
                    case "--insecure-registry" -> main.insecureRegistries.add(value);
                    case "--kafka-bootstrap-servers" -> main.kafkaBootstrapServers = value;
                    case "--kafka-topic" -> main.kafkaTopic = value;
                    case "--kafka-properties" -> {
                        int sep = value.indexOf('=');
                        if (sep <= 0) {
                            return null;
                        }
                        main.kafkaProperties.put(value.substring(0, sep), value.substring(sep + 1));
                    }
                    case "--add-url-max-size" -> main.addUrlMaxSize = value;
                    case "--add-url-timeout" -> main.addUrlTimeout = value;
                    case "--config-file" -> main.configFile = Path.of(value);
                    default -> {
                        return null;
                    }
                }
            } catch (RuntimeException malformed) {
                return null; // picocli names the option and the value
            }
        }
        return main;
    }

    @Override
    public Integer call() throws Exception {
        // The public socket first (EarlyResponder): /_ping and /version are answered from here on, while the options
        // are read and the rest of the daemon starts; every other request waits for it.
        Path quick = quickSocket();
        EarlyResponder early = quick == null ? null : EarlyResponder.bind(quick);
        // The pid file as soon as the socket answers (only the daemon that won the socket writes it): whoever sees
        // /_ping answered may look for it at once, to stop the daemon or to know it.
        PidFile earlyPidFile = quick == null ? null : quickPidFile().map(PidFile::new).orElse(null);
        if (earlyPidFile != null) {
            try {
                earlyPidFile.claim();
            } catch (RuntimeException e) {
                early.fail(e.getMessage());
                throw e;
            }
        }
        // Jetty's slow static set-up (the JDK's locale lists) beside reading the options and claiming the paths; once
        // the socket is bound, so that it does not compete with the bind on two busy cores
        Thread.ofPlatform().daemon().name("berth-api-preload").start(ApiServer::preload);
        DaemonOptions options;
        try {
            options = resolve();
        } catch (RuntimeException e) {
            if (early != null) {
                early.fail(e.getMessage());
            }
            throw e;
        }
        if (early != null && !options.socket().equals(quick)) {
            early.fail("the socket is " + options.socket()); // cannot happen: the same flags name both
            early = null;
        }
        if (early == null) {
            early = EarlyResponder.bind(options.socket());
        }
        Daemon daemon = new Daemon(options).withEarlyResponder(early);
        // TERM and INT are taken from here on: /_ping is answered before the start ends, so a stop may come during it;
        // it is carried out once the start is done (the JVM's default would exit at once, leaving socket and pid file).
        CountDownLatch stopRequested = new CountDownLatch(1);
        AtomicReference<String> stopSignal = new AtomicReference<>();
        for (String signal : List.of("TERM", "INT")) {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> {
                stopSignal.compareAndSet(null, "SIG" + s.getName());
                stopRequested.countDown();
            });
        }
        try {
            daemon.start();
        } catch (RuntimeException e) {
            if (earlyPidFile != null) {
                earlyPidFile.release(); // only if it still names this process
            }
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> daemon.stop("shutdown"), "berth-shutdown"));
        stopRequested.await();
        daemon.stop(stopSignal.get());
        return 0;
    }

    /**
     * The socket, when it is known without reading the config file (Jackson's classes are a noticeable part of a cold
     * start): from {@code -H}, or the default when there is no config file; else {@code null}.
     */
    private Path quickSocket() {
        if (host != null) {
            return socketPath(host);
        }
        if (configFile == null && !Files.exists(DEFAULT_CONFIG_FILE)) {
            return DaemonOptions.DEFAULT_SOCKET;
        }
        return null;
    }

    /** The pid file, when it is known without reading the config file: from {@code --pidfile}, or the default when there is none. */
    private Optional<Path> quickPidFile() {
        if (pidFile != null) {
            return Optional.of(pidFile);
        }
        if (configFile == null && !Files.exists(DEFAULT_CONFIG_FILE)) {
            return Optional.of(DaemonOptions.DEFAULT_PID_FILE);
        }
        return Optional.empty();
    }

    /** Flags win over the config file, which wins over the environment and the defaults. */
    DaemonOptions resolve() {
        JsonNode config = readConfig();
        Path rootDir = root != null ? root
                : config.hasNonNull("root") ? Path.of(config.get("root").asText())
                : config.hasNonNull("data-root") ? Path.of(config.get("data-root").asText())
                : env("BERTH_ROOT") != null ? Path.of(env("BERTH_ROOT")) : DaemonOptions.DEFAULT_ROOT;
        String hostValue = host != null ? host
                : config.hasNonNull("host") ? config.get("host").asText()
                : config.path("hosts").isArray() && !config.path("hosts").isEmpty() ? config.path("hosts").get(0).asText()
                : null;
        Path socket = hostValue == null ? DaemonOptions.DEFAULT_SOCKET : socketPath(hostValue);
        Path pid = pidFile != null ? pidFile
                : config.hasNonNull("pidfile") ? Path.of(config.get("pidfile").asText()) : DaemonOptions.DEFAULT_PID_FILE;
        List<Path> dirs = new ArrayList<>(pluginDirs);
        if (dirs.isEmpty() && config.hasNonNull("plugins-dir")) {
            dirs.add(Path.of(config.get("plugins-dir").asText()));
        }
        if (dirs.isEmpty()) {
            installationPluginsDir().ifPresent(dirs::add);
            dirs.add(rootDir.resolve("plugins"));
        }
        long every = snapshotEvery != null ? snapshotEvery
                : config.hasNonNull("snapshot-every") ? config.get("snapshot-every").asLong() : DaemonOptions.DEFAULT_SNAPSHOT_EVERY;
        if (every < 0) {
            throw new StartupException("invalid --snapshot-every " + every + ": must be 0 (never) or more");
        }
        Map<String, Map<String, String>> perPlugin = new LinkedHashMap<>();
        config.path("plugins").fields().forEachRemaining(plugin -> {
            Map<String, String> settings = new LinkedHashMap<>();
            plugin.getValue().fields().forEachRemaining(setting -> settings.put(setting.getKey(), setting.getValue().asText()));
            perPlugin.put(plugin.getKey(), settings);
        });
        int downloads = maxConcurrentDownloads != null ? maxConcurrentDownloads
                : config.hasNonNull("max-concurrent-downloads") ? config.get("max-concurrent-downloads").asInt()
                : DaemonOptions.DEFAULT_PARALLEL_DOWNLOADS;
        if (downloads < 1) {
            throw new StartupException("invalid --max-concurrent-downloads " + downloads + ": must be 1 or more");
        }
        List<String> insecure = new ArrayList<>(insecureRegistries);
        config.path("insecure-registries").forEach(r -> insecure.add(r.asText()));
        if (!insecure.isEmpty()) {
            // the registry plugin reads its insecure registries from its options, as Docker's daemon.json lists them
            perPlugin.computeIfAbsent("registry-oci", k -> new LinkedHashMap<>())
                    .merge("insecure-registries", String.join(",", insecure), (a, b) -> a + "," + b);
        }
        Path file = configFile != null ? configFile : DEFAULT_CONFIG_FILE;
        networkOptions(config, file, perPlugin);
        long addMax = addUrlMaxSize != null ? bytes(addUrlMaxSize, "--add-url-max-size")
                : config.has("add-url-max-size") ? bytes(config.get("add-url-max-size").asText(), "\"add-url-max-size\" in config file " + file)
                : DaemonOptions.DEFAULT_ADD_URL_MAX_BYTES;
        java.time.Duration addTimeout = addUrlTimeout != null ? duration(addUrlTimeout, "--add-url-timeout")
                : config.has("add-url-timeout") ? duration(config.get("add-url-timeout").asText(), "\"add-url-timeout\" in config file " + file)
                : DaemonOptions.DEFAULT_ADD_URL_TIMEOUT;
        return new DaemonOptions(rootDir.toAbsolutePath().normalize(), socket, pid.toAbsolutePath(), dirs, every, perPlugin, downloads,
                kafkaMirror(config), addMax, addTimeout);
    }

    /** The network plugin's id: dockerd's network keys become its options, as insecure-registries become registry-oci's. */
    static final String NETWORK_PLUGIN = "network-netavark";

    /**
     * dockerd's {@code default-address-pools} (its first pool: {@code base} and {@code size}) become the network
     * plugin's {@code default-address-pool} and {@code -size}; {@code bip} / {@code --bip} ({@code 10.213.0.1/24}:
     * the bridge's address in its subnet) is checked here and handed on as {@code bip}, which the engine reads
     * when it makes the default network.
     */
    private void networkOptions(com.fasterxml.jackson.databind.JsonNode config, Path file, Map<String, Map<String, String>> perPlugin) {
        com.fasterxml.jackson.databind.JsonNode pools = config.path("default-address-pools");
        if (!pools.isMissingNode()) {
            com.fasterxml.jackson.databind.JsonNode first = pools.path(0);
            if (!pools.isArray() || !first.path("base").isTextual() || !first.path("size").canConvertToInt()) {
                throw new StartupException("invalid \"default-address-pools\" in config file " + file
                        + ": give [{\"base\": \"10.213.0.0/16\", \"size\": 24}]");
            }
            Map<String, String> options = perPlugin.computeIfAbsent(NETWORK_PLUGIN, k -> new LinkedHashMap<>());
            options.put("default-address-pool", first.get("base").asText());
            options.put("default-address-pool-size", String.valueOf(first.get("size").asInt()));
        }
        String value = bip != null ? bip : config.hasNonNull("bip") ? config.get("bip").asText() : null;
        if (value != null) {
            String where = bip != null ? "--bip" : "\"bip\" in config file " + file;
            bipSubnet(value, where);
            perPlugin.computeIfAbsent(NETWORK_PLUGIN, k -> new LinkedHashMap<>()).put("bip", value);
        }
    }

    /**
     * {@code 10.213.0.1/24} → {@code [10.213.0.0/24, 10.213.0.1]}: the subnet and the gateway.
     *
     * @throws StartupException naming {@code where} when the value is not an IPv4 address with a prefix length
     */
    public static String[] bipSubnet(String value, String where) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})")
                .matcher(value.strip());
        if (!m.matches() || Integer.parseInt(m.group(5)) < 8 || Integer.parseInt(m.group(5)) > 30) {
            throw new StartupException("invalid " + where + " \"" + value + "\": give the bridge's IPv4 address and prefix length, e.g. 10.213.0.1/24");
        }
        long address = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                throw new StartupException("invalid " + where + " \"" + value + "\": " + octet + " is not an octet");
            }
            address = address << 8 | octet;
        }
        int prefix = Integer.parseInt(m.group(5));
        long mask = 0xFFFFFFFFL << (32 - prefix) & 0xFFFFFFFFL;
        long network = address & mask;
        if (address == network || address == (network | ~mask & 0xFFFFFFFFL)) {
            throw new StartupException("invalid " + where + " \"" + value + "\": the bridge's address cannot be the subnet's network or broadcast address");
        }
        String subnet = (network >> 24 & 255) + "." + (network >> 16 & 255) + "." + (network >> 8 & 255) + "." + (network & 255) + "/" + prefix;
        return new String[] {subnet, m.group(1) + "." + m.group(2) + "." + m.group(3) + "." + m.group(4)};
    }

    /** A size as Docker writes them: a number of bytes, or with k, m, g (powers of 1024). */
    static long bytes(String value, String where) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([kmgKMG]?)[bB]?").matcher(value.strip());
        if (!m.matches()) {
            throw new StartupException("invalid " + where + " \"" + value + "\": give bytes, or a number with k, m or g");
        }
        int shift = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        long n = Long.parseLong(m.group(1));
        if (n < 1 || n > (Long.MAX_VALUE >> shift)) {
            throw new StartupException("invalid " + where + " \"" + value + "\": must be 1 byte or more");
        }
        return n << shift;
    }

    /** A positive duration in Go's grammar ({@code 90s}, {@code 1m30s}, {@code 1.5h}), as Docker's daemon flags take them. */
    static java.time.Duration duration(String value, String where) {
        java.time.Duration duration;
        try {
            duration = GoDuration.parse(value.strip());
        } catch (IllegalArgumentException e) {
            duration = java.time.Duration.ZERO;
        }
        if (duration.toNanos() < 1) {
            throw new StartupException("invalid " + where + " \"" + value + "\": give a duration such as 90s, 10m or 1h");
        }
        return duration;
    }

    /** The mirror's settings, flags over the config file; null (off) without bootstrap servers. */
    private KafkaMirrorConfig kafkaMirror(JsonNode config) {
        Path file = configFile != null ? configFile : DEFAULT_CONFIG_FILE;
        String servers = kafkaBootstrapServers;
        String where = "--kafka-bootstrap-servers";
        if (servers == null && config.has("kafka-bootstrap-servers")) {
            servers = configString(config, "kafka-bootstrap-servers", file);
            where = "config file " + file;
        }
        String topic = kafkaTopic != null ? kafkaTopic
                : config.has("kafka-topic") ? configString(config, "kafka-topic", file) : null;
        Map<String, String> properties = new LinkedHashMap<>();
        if (config.has("kafka-properties")) {
            JsonNode node = config.get("kafka-properties");
            if (!node.isObject()) {
                throw new StartupException("invalid \"kafka-properties\" in config file " + file + ": must be an object of client properties");
            }
            for (var property : node.properties()) {
                if (!property.getValue().isValueNode() || property.getValue().isNull()) {
                    throw new StartupException("invalid \"kafka-properties\" in config file " + file + ": \"" + property.getKey()
                            + "\" must be a string, number or boolean");
                }
                properties.put(property.getKey(), property.getValue().asText());
            }
        }
        properties.putAll(kafkaProperties);
        if (servers == null) {
            if (topic != null || !properties.isEmpty()) {
                throw new StartupException("the Kafka mirror needs kafka-bootstrap-servers (kafka-topic or kafka-properties is set without it)");
            }
            return null;
        }
        try {
            KafkaMirrorConfig mirror = new KafkaMirrorConfig(servers, topic, properties);
            KafkaMirror.validate(mirror);
            return mirror;
        } catch (IllegalArgumentException e) {
            throw new StartupException("invalid Kafka mirror setting (" + where + "): " + e.getMessage().replaceAll("\\s+", " "));
        }
    }

    private static String configString(JsonNode config, String key, Path file) {
        JsonNode value = config.get(key);
        if (!value.isTextual()) {
            throw new StartupException("invalid \"" + key + "\" in config file " + file + ": must be a string");
        }
        return value.asText();
    }

    private JsonNode readConfig() {
        Path file = configFile != null ? configFile : DEFAULT_CONFIG_FILE;
        if (configFile == null && !Files.exists(file)) {
            return new ObjectMapper().createObjectNode();
        }
        JsonNode config;
        try {
            config = new ObjectMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StartupException("invalid JSON in config file " + file + " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new StartupException("cannot read config file " + file + ": " + HostPaths.reason(e));
        }
        if (config == null || !config.isObject()) {
            throw new StartupException("config file " + file + " must hold a JSON object");
        }
        config.fieldNames().forEachRemaining(key -> {
            if (!CONFIG_KEYS.contains(key)) {
                throw new StartupException("unknown key \"" + key + "\" in config file " + file);
            }
        });
        return config;
    }

    static Path socketPath(String host) {
        if (!host.startsWith("unix://") || host.length() <= "unix://".length()) {
            throw new StartupException("invalid -H " + host + ": only unix://PATH is supported");
        }
        return Path.of(host.substring("unix://".length())).toAbsolutePath();
    }

    /** {@code <installation>/plugins}, found from where this class's jar lies ({@code <installation>/lib/engine/}). */
    private static java.util.Optional<Path> installationPluginsDir() {
        try {
            Path jar = Path.of(DaemonMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path libDir = jar.getParent() == null ? null : jar.getParent().getParent();
            Path installation = libDir == null ? null : libDir.getParent();
            if (installation != null && Files.isDirectory(installation.resolve("plugins"))) {
                return java.util.Optional.of(installation.resolve("plugins"));
            }
        } catch (Exception e) {
            // not running from an installation
        }
        return java.util.Optional.empty();
    }

    private static String env(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? null : value;
    }

    /** Prints berth's version for {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"berth daemon " + BerthVersion.version()};
        }
    }
}
