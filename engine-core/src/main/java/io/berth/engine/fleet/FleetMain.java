package io.berth.engine.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.api.ApiException;
import io.berth.engine.container.ContainerConfigs;
import io.berth.engine.container.ContainerEndpoints;
import io.berth.engine.container.ContainerProjection;
import io.berth.engine.container.ContainerState;
import io.berth.engine.events.EventFilter;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.kafka.KafkaMirrorConfig;
import io.berth.text.format.Columns;
import io.berth.text.format.EventLine;
import io.berth.text.format.Table;
import io.berth.text.format.Units;
import io.berth.text.json.Json;
import io.berth.text.time.TimeArgument;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code berth fleet …}: the fleet's events and containers, read from the Kafka topic the daemons
 * mirror to, without any daemon. Runs in its own JVM on the engine's class path (the launcher routes
 * {@code berth fleet} here), so the everyday CLI's class path stays small.
 */
@Command(name = "berth fleet", mixinStandardHelpOptions = true, subcommands = {FleetMain.Events.class, FleetMain.Ps.class},
        description = "Events and containers of every host mirroring to a Kafka topic.")
public final class FleetMain implements Callable<Integer> {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Path DEFAULT_CONFIG_FILE = Path.of("/etc/berth/daemon.json");

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a fleet command; returns its exit code (125 for usage errors, 1 when the work fails). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine commandLine = new CommandLine(new FleetMain());
        commandLine.setOut(new java.io.PrintWriter(out, true));
        commandLine.setErr(new java.io.PrintWriter(err, true));
        commandLine.setParameterExceptionHandler((e, a) -> {
            err.println("berth fleet: " + e.getMessage());
            err.println("See 'berth fleet --help'.");
            return 125;
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            err.println("berth fleet: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return e instanceof UsageException ? 125 : 1;
        });
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            ((Subcommand) sub.getCommand()).out = out;
            ((Subcommand) sub.getCommand()).err = err;
        }
        return commandLine.execute(args);
    }

    @Override
    public Integer call() {
        throw new UsageException("name a command: berth fleet events | berth fleet ps");
    }

    /** A user's mistake in the arguments: exit 125, as for a usage error. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** Where the topic is: flags, else the daemon's config file keys of the same names. */
    static final class Source {
        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,…]", description = "Kafka brokers (default: kafka-bootstrap-servers in the config file).")
        String bootstrapServers;

        @Option(names = "--topic", paramLabel = "TOPIC", description = "The mirror's topic (default: kafka-topic in the config file, else berth.events).")
        String topic;

        @Option(names = "--config-file", paramLabel = "FILE", description = "The daemon config file to take the Kafka settings from (default: /etc/berth/daemon.json when it exists).")
        Path configFile;

        FleetTopic open() {
            JsonNode config = readConfig();
            String servers = bootstrapServers != null ? bootstrapServers : config.path("kafka-bootstrap-servers").asText(null);
            if (servers == null || servers.isBlank()) {
                throw new UsageException("no Kafka brokers: give --bootstrap-servers HOST:PORT or set kafka-bootstrap-servers in "
                        + (configFile != null ? configFile : DEFAULT_CONFIG_FILE));
            }
            String name = topic != null ? topic : config.path("kafka-topic").asText(null);
            Map<String, String> properties = new LinkedHashMap<>();
            config.path("kafka-properties").properties().forEach(p -> properties.put(p.getKey(), p.getValue().asText()));
            KafkaMirrorConfig checked;
            try {
                checked = new KafkaMirrorConfig(servers, name, Map.of()); // the same checks of servers and topic as the daemon's
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage().replace("kafka-bootstrap-servers", "--bootstrap-servers").replace("kafka-topic", "--topic"));
            }
            // producer-only settings (acks, linger.ms, …) mean nothing to a reader; TLS and SASL settings are shared
            properties.keySet().removeIf(k -> !k.startsWith("security.") && !k.startsWith("ssl.") && !k.startsWith("sasl.")
                    && !k.startsWith("client.dns"));
            return new FleetTopic(checked.bootstrapServers(), checked.topic(), properties);
        }

        private JsonNode readConfig() {
            Path file = configFile != null ? configFile : DEFAULT_CONFIG_FILE;
            if (configFile == null && !Files.exists(file)) {
                return MAPPER.createObjectNode();
            }
            try {
                JsonNode node = MAPPER.readTree(file.toFile());
                if (node == null || !node.isObject()) {
                    throw new UsageException("config file " + file + " must hold a JSON object");
                }
                return node;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UsageException("invalid JSON in config file " + file + " at line " + e.getLocation().getLineNr()
                        + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
            } catch (IOException e) {
                throw new UsageException("cannot read config file " + file + ": " + e.getMessage());
            }
        }
    }

    abstract static class Subcommand implements Callable<Integer> {
        PrintStream out = System.out;
        PrintStream err = System.err;

        @Mixin
        Source source;

        @Option(names = "--format", paramLabel = "FORMAT", description = "json: machine-readable output")
        String format;

        boolean json() {
            if (format == null || format.isEmpty()) {
                return false;
            }
            if (!format.equals("json")) {
                throw new UsageException("invalid --format \"" + format + "\": berth fleet knows json (or no --format for a table)");
            }
            return true;
        }

        void report(FleetTopic.Read read) {
            if (read.unreadable() > 0) {
                err.println("berth fleet: skipped " + read.unreadable() + " record(s) that are not berth events (first: "
                        + read.firstUnreadable() + ")");
            }
        }
    }

    /** {@code berth fleet events}: every host's events, merged by time, then host id and sequence; duplicates dropped. */
    @Command(name = "events", mixinStandardHelpOptions = true, description = "Events of every host, merged by time.",
            footer = {"", "--since and --until take RFC 3339 times, Unix seconds or durations before now (10m, 1h30m).",
                    "Filter keys: as 'berth events' (type, event, container, image, volume, actor, correlation, …), and host=ID."})
    static final class Events extends Subcommand {
        @Option(names = "--since", paramLabel = "TIME", description = "Events at or after this time")
        String since;

        @Option(names = "--until", paramLabel = "TIME", description = "Events up to this time")
        String until;

        @Option(names = "--filter", paramLabel = "key=value", description = "Only matching events (repeatable)")
        List<String> filters = new ArrayList<>();

        @Override
        public Integer call() {
            boolean json = json();
            Instant now = Instant.now();
            Instant from = since == null ? null : time("--since", since, now);
            Instant to = until == null ? null : time("--until", until, now);
            Map<String, List<String>> criteria = new LinkedHashMap<>();
            for (String f : filters) {
                int eq = f.indexOf('=');
                if (eq <= 0) {
                    throw new UsageException("invalid --filter \"" + f + "\": expected key=value");
                }
                criteria.computeIfAbsent(f.substring(0, eq).strip(), k -> new ArrayList<>()).add(f.substring(eq + 1));
            }
            List<String> hosts = criteria.remove("host");
            FleetTopic.Read read = source.open().read(from);
            Map<String, ContainerState> states = fold(read.events());
            EventFilter filter;
            try {
                filter = EventFilter.parse(MAPPER.writeValueAsString(criteria), MAPPER, (type, name) -> idsNamed(states, name));
            } catch (ApiException e) {
                throw new UsageException(e.getMessage());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            for (FleetEvent event : read.events()) {
                EventEnvelope e = event.envelope();
                if (to != null && e.time().isAfter(to)) {
                    continue;
                }
                if (hosts != null && hosts.stream().noneMatch(h -> e.hostId().startsWith(h))) {
                    continue;
                }
                if (!filter.test(e)) {
                    continue;
                }
                out.println(json ? new String(event.bytes(), StandardCharsets.UTF_8) : readable(event));
                if (out.checkError()) {
                    return 0; // the reader went away (`| head`)
                }
            }
            out.flush();
            report(read);
            return 0;
        }

        /** A time as every berth command reads one; a sequence number belongs to one host, the fleet orders by time. */
        private static Instant time(String option, String value, Instant now) {
            TimeArgument argument;
            try {
                argument = TimeArgument.parse(option, value, now);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            if (argument.isSequence()) {
                throw new UsageException("invalid value for " + option + ": \"" + value
                        + "\": sequence numbers belong to one host; the fleet orders by time");
            }
            return argument.time();
        }

        private static List<String> idsNamed(Map<String, ContainerState> states, String name) {
            String bare = name.startsWith("/") ? name.substring(1) : name;
            List<String> ids = new ArrayList<>();
            states.values().forEach(s -> ids.addAll(s.nameHistory.getOrDefault(bare, new TreeSet<>())));
            return ids;
        }

        /** {@code TIME HOST TYPE SUBJECT (actor=USER(UID) pid=PID client=CLIENT seq=N key=value…)}: {@code berth events}' line with the host. */
        @SuppressWarnings("unchecked")
        static String readable(FleetEvent event) {
            try {
                return EventLine.render((Map<String, Object>) Json.parse(event.bytes()), shortId(event.envelope().hostId()));
            } catch (IOException e) {
                throw new IllegalStateException("an event the codec read is not JSON", e);
            }
        }
    }

    /** {@code berth fleet ps}: each host's containers, folded from its events by the engine's container projection. */
    @Command(name = "ps", mixinStandardHelpOptions = true, description = "Containers of every host (running ones; -a for all).")
    static final class Ps extends Subcommand {
        @Option(names = {"-a", "--all"}, description = "Show all containers (default shows just running)")
        boolean all;

        @Override
        public Integer call() {
            boolean json = json();
            FleetTopic.Read read = source.open().read(null);
            Map<String, ContainerState> states = fold(read.events());
            Table table = new Table("HOST", "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES").minWidth(10);
            long now = Instant.now().getEpochSecond();
            ArrayNode list = MAPPER.createArrayNode();
            for (Map.Entry<String, ContainerState> host : states.entrySet()) {
                List<ContainerState.ContainerRecord> containers = new ArrayList<>(host.getValue().containers.values());
                containers.sort((a, b) -> b.created().compareTo(a.created()));
                for (ContainerState.ContainerRecord c : containers) {
                    if (!all && !c.running()) {
                        continue;
                    }
                    String command = String.join(" ", command(c));
                    if (json) {
                        ObjectNode item = list.addObject();
                        item.put("Host", host.getKey());
                        item.put("Id", c.id());
                        item.putArray("Names").add("/" + c.name());
                        item.put("Image", c.image());
                        item.put("ImageID", c.imageId());
                        item.put("Command", command);
                        item.put("Created", Instant.parse(c.created()).getEpochSecond());
                        item.put("State", c.status().text());
                        item.put("Status", ContainerEndpoints.statusText(c));
                    } else {
                        table.row(row(host.getKey(), c, command, now));
                    }
                }
            }
            if (json) {
                out.println(list);
            } else {
                table.print(out);
            }
            out.flush();
            report(read);
            return 0;
        }

        /** One container's cells, as {@code berth ps} shows them (Docker's COMMAND and CREATED), after its host. */
        static String[] row(String hostId, ContainerState.ContainerRecord c, String command, long nowSeconds) {
            long created;
            try {
                created = Instant.parse(c.created()).getEpochSecond();
            } catch (RuntimeException e) {
                created = 0; // shown as N/A, as Docker shows a missing time
            }
            return new String[] {shortId(hostId), Units.shortId(c.id()), c.image(), Columns.command(command, true),
                    Units.ago(created, nowSeconds), ContainerEndpoints.statusText(c), c.name()};
        }

        private static List<String> command(ContainerState.ContainerRecord c) {
            try {
                return ContainerConfigs.args(MAPPER.readTree(c.configJson()).path("Config"));
            } catch (IOException | RuntimeException e) {
                return List.of();
            }
        }
    }

    /** Each host's container state, folded from its events in the fleet's order (per host: log order). */
    static Map<String, ContainerState> fold(List<FleetEvent> events) {
        Map<String, ContainerState> states = new TreeMap<>();
        for (FleetEvent event : events) {
            EventEnvelope e = event.envelope();
            ContainerState state = states.computeIfAbsent(e.hostId(), h -> ContainerProjection.INSTANCE.initialState());
            if (ContainerProjection.INSTANCE.folds(e.type())) {
                ContainerProjection.INSTANCE.apply(state, e);
            }
        }
        return states;
    }

    static String shortId(String id) {
        String plain = id.replace("-", "");
        return plain.substring(0, Math.min(12, plain.length()));
    }
}
