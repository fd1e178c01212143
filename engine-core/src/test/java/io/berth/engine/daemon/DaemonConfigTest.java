package io.berth.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The daemon's config file and flags for the Kafka mirror: precedence and one-line errors. */
class DaemonConfigTest {
    @TempDir
    Path dir;

    private DaemonOptions resolve(String configJson, String... flags) throws Exception {
        Path file = dir.resolve("daemon.json");
        Files.writeString(file, configJson);
        DaemonMain main = new DaemonMain();
        String[] all = new String[flags.length + 4];
        all[0] = "--config-file";
        all[1] = file.toString();
        all[2] = "--root";
        all[3] = dir.resolve("root").toString();
        System.arraycopy(flags, 0, all, 4, flags.length);
        new CommandLine(main).parseArgs(all);
        return main.resolve();
    }

    private String error(String configJson, String... flags) {
        return assertThrows(StartupException.class, () -> resolve(configJson, flags)).getMessage();
    }

    @Test
    void givenNoKafkaKeysThenTheMirrorIsOff() throws Exception {
        assertNull(resolve("{}").kafkaMirror());
    }

    @Test
    void givenTheConfigFileKeysThenTheMirrorUsesThem() throws Exception {
        var mirror = resolve("{\"kafka-bootstrap-servers\": \"127.0.0.1:9092\", \"kafka-topic\": \"fleet\","
                + " \"kafka-properties\": {\"linger.ms\": 10, \"security.protocol\": \"PLAINTEXT\"}}").kafkaMirror();
        assertEquals("127.0.0.1:9092", mirror.bootstrapServers());
        assertEquals("fleet", mirror.topic());
        assertEquals(Map.of("linger.ms", "10", "security.protocol", "PLAINTEXT"), mirror.properties());
    }

    @Test
    void givenBothThenFlagsOverrideTheConfigFile() throws Exception {
        var mirror = resolve("{\"kafka-bootstrap-servers\": \"127.0.0.1:9092\", \"kafka-properties\": {\"linger.ms\": 10}}",
                "--kafka-bootstrap-servers", "127.0.0.1:9093", "--kafka-properties", "linger.ms=50").kafkaMirror();
        assertEquals("127.0.0.1:9093", mirror.bootstrapServers());
        assertEquals("berth.events", mirror.topic(), "the default topic");
        assertEquals(Map.of("linger.ms", "50"), mirror.properties());
    }

    @Test
    void givenBadKafkaSettingsThenTheErrorIsOneLineNamingTheFileAndKey() {
        Path file = dir.resolve("daemon.json");
        assertEquals("unknown key \"kafka-brokers\" in config file " + file, error("{\"kafka-brokers\": \"127.0.0.1:9092\"}"));
        assertEquals("invalid \"kafka-topic\" in config file " + file + ": must be a string",
                error("{\"kafka-bootstrap-servers\": \"127.0.0.1:9092\", \"kafka-topic\": 7}"));
        assertEquals("invalid \"kafka-properties\" in config file " + file + ": must be an object of client properties",
                error("{\"kafka-bootstrap-servers\": \"127.0.0.1:9092\", \"kafka-properties\": \"acks=all\"}"));
        assertEquals("invalid Kafka mirror setting (config file " + file + "): kafka-properties: acks=1 is not allowed: the mirror needs acks=all",
                error("{\"kafka-bootstrap-servers\": \"127.0.0.1:9092\", \"kafka-properties\": {\"acks\": \"1\"}}"));
        assertEquals("invalid Kafka mirror setting (config file " + file + "): kafka-bootstrap-servers: \"broker\" is not HOST:PORT",
                error("{\"kafka-bootstrap-servers\": \"broker\"}"));
        assertEquals("the Kafka mirror needs kafka-bootstrap-servers (kafka-topic or kafka-properties is set without it)",
                error("{\"kafka-topic\": \"x\"}"));
        String malformed = error("{\"kafka-bootstrap-servers\": ");
        assertEquals(1, malformed.lines().count(), malformed);
        assertEquals(true, malformed.startsWith("invalid JSON in config file " + file + " at line 1"), malformed);
    }

    @Test
    void givenAddUrlBoundsThenTheFileSetsThemFlagsWinAndTheDefaultsAreAGibibyteAndTenMinutes() throws Exception {
        DaemonOptions defaults = resolve("{}");
        assertEquals(1L << 30, defaults.addUrlMaxBytes());
        assertEquals(java.time.Duration.ofMinutes(10), defaults.addUrlTimeout());
        DaemonOptions file = resolve("{\"add-url-max-size\": \"2m\", \"add-url-timeout\": \"90s\"}");
        assertEquals(2L << 20, file.addUrlMaxBytes());
        assertEquals(java.time.Duration.ofSeconds(90), file.addUrlTimeout());
        DaemonOptions flags = resolve("{\"add-url-max-size\": \"2m\"}", "--add-url-max-size", "512k", "--add-url-timeout", "1h");
        assertEquals(512L << 10, flags.addUrlMaxBytes());
        assertEquals(java.time.Duration.ofHours(1), flags.addUrlTimeout());
        assertEquals("invalid \"add-url-max-size\" in config file " + dir.resolve("daemon.json")
                + " \"lots\": give bytes, or a number with k, m or g", error("{\"add-url-max-size\": \"lots\"}"));
        assertEquals("invalid --add-url-timeout \"soon\": give a duration such as 90s, 10m or 1h",
                error("{}", "--add-url-timeout", "soon"));
    }

    @Test
    void givenDockerdsNetworkKeysThenTheNetworkPluginGetsThem() throws Exception {
        DaemonOptions options = resolve("{\"bip\": \"10.99.0.1/24\", \"default-address-pools\": [{\"base\": \"10.98.0.0/16\", \"size\": 26}]}");
        assertEquals(Map.of("bip", "10.99.0.1/24", "default-address-pool", "10.98.0.0/16", "default-address-pool-size", "26"),
                options.pluginOptions().get("network-netavark"));
        assertEquals("10.97.0.1/16", resolve("{\"bip\": \"10.99.0.1/24\"}", "--bip", "10.97.0.1/16").pluginOptions()
                .get("network-netavark").get("bip"), "the flag wins");
        assertEquals(java.util.List.of("10.99.0.0/24", "10.99.0.1"), java.util.List.of(DaemonMain.bipSubnet("10.99.0.1/24", "bip")));
        Path file = dir.resolve("daemon.json");
        assertEquals("invalid \"bip\" in config file " + file + " \"10.99.0.0/24\": the bridge's address cannot be the subnet's"
                + " network or broadcast address", error("{\"bip\": \"10.99.0.0/24\"}"));
        assertEquals("invalid --bip \"fast\": give the bridge's IPv4 address and prefix length, e.g. 10.213.0.1/24", error("{}", "--bip", "fast"));
        assertEquals("invalid \"default-address-pools\" in config file " + file + ": give [{\"base\": \"10.213.0.0/16\", \"size\": 24}]",
                error("{\"default-address-pools\": \"10.98.0.0/16\"}"));
    }

    @Test
    void givenEverydayFlags_whenReadWithoutPicocli_thenTheDaemonsOptionsAreThoseFromPicocli() throws Exception {
        String[][] lines = {
                {"--root", dir.resolve("r").toString(), "-H", "unix:///tmp/x.sock", "--pidfile", "/tmp/x.pid"},
                {"--data-root=" + dir.resolve("r"), "--host=unix:///tmp/y.sock", "-p", "/tmp/y.pid", "--plugins-dir", "/a",
                        "--plugins-dir=/b", "--snapshot-every", "7", "--max-concurrent-downloads=2", "--bip", "10.99.0.1/24",
                        "--insecure-registry", "h:5000", "--kafka-bootstrap-servers", "k:9092", "--kafka-topic", "t",
                        "--kafka-properties", "acks=all", "--add-url-max-size", "5m", "--add-url-timeout", "90s"},
                {}};
        for (String[] line : lines) {
            DaemonMain plain = DaemonMain.plainFlags(line);
            DaemonMain parsed = new DaemonMain();
            new CommandLine(parsed).parseArgs(line);
            assertEquals(String.valueOf(parsed.resolve()), String.valueOf(plain.resolve()), String.join(" ", line));
        }
    }

    @Test
    void givenHelpVersionOrAnUnknownFlag_thenPicocliReadsTheCommandLine() {
        for (String[] line : new String[][] {{"--help"}, {"-V"}, {"--version"}, {"--nope", "x"}, {"--root"},
                {"--snapshot-every", "many"}, {"--kafka-properties", "novalue"}}) {
            assertNull(DaemonMain.plainFlags(line), String.join(" ", line));
        }
    }
}
