package io.berth.cli.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code --format} Go templates, compared with Docker's own CLI: the same template is rendered by {@code berth}
 * and by the stock docker CLI (28.x at /usr/local/bin/docker) pointed at the same berth daemon, so both read the
 * same objects and only the rendering differs. The containers are created, never started, so their status
 * ("Created") does not move between the two reads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FormatTemplatesIT {
    private static final Path DOCKER = Path.of("/usr/local/bin/docker");

    private Path tmp;
    private BerthDist berth;
    private LocalRegistry registry;
    private Path root;
    private Path socket;
    private String image;

    @BeforeAll
    void start() throws Exception {
        if (!Files.isExecutable(DOCKER)) {
            fail("the stock docker CLI is missing at " + DOCKER + "; the template comparison needs it");
        }
        tmp = Files.createTempDirectory("berth-format-it");
        berth = BerthDist.get();
        registry = LocalRegistry.start(Files.createDirectories(tmp.resolve("registry")));
        Path layout = LocalRegistry.busyboxLayout(Files.createDirectories(tmp.resolve("image")),
                List.of("sh", "echo", "true"));
        registry.push(layout, "busybox:1");
        image = registry.host() + "/busybox:1";
        root = tmp.resolve("root");
        socket = tmp.resolve("berth.sock");
        expectOk(berth("pull", image));
        expectOk(berth("tag", image, "format-it/web:v1"));
        expectOk(berth("create", "--name", "alpha", "--label", "tier=web", "--label", "team=core",
                "--network", "none", image, "echo", "hello world"));
        expectOk(berth("create", "--name", "beta", "--label", "tier=db", "--network", "none", image, "true"));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (root != null && Files.exists(root.resolve("berth.pid"))) {
                berth("rm", "-f", "alpha", "beta");
            }
        } finally {
            if (root != null) {
                BerthDist.stopDaemon(root.resolve("berth.pid"));
            }
            if (registry != null) {
                registry.close();
            }
            if (tmp != null) {
                try (var walk = Files.walk(tmp)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> givenSameDaemon_whenPsTemplateRenderedByBerthAndDocker_thenOutputsEqual() {
        return compareAll(List.of("ps", "-a", "--format"), List.of(
                "{{.Names}}\t{{.Status}}",
                "table {{.Names}}\t{{.Status}}",
                "table {{.ID}}\t{{.Image}}\t{{.Command}}",
                "{{.Names}} {{.Label \"tier\"}} {{.State}}",
                "{{upper .Names}}|{{lower .Status}}|{{len .Names}}",
                "{{if eq (.Label \"tier\") \"web\"}}front {{.Names}}{{else}}back {{.Names}}{{end}}",
                "{{json .Names}} {{title .State}}"));
    }

    /** One label only: Docker's CLI joins several in Go's map order, which varies from run to run. */
    @TestFactory
    Stream<DynamicTest> givenOneLabel_whenLabelsTemplateRenderedByBerthAndDocker_thenOutputsEqual() {
        return compareAll(List.of("ps", "-a", "--filter", "name=beta", "--format"), List.of(
                "{{printf \"%-8s|\" .Names}}{{.Labels}}",
                "{{.Names}}{{range $i, $p := split .Labels \",\"}} [{{$i}}:{{$p}}]{{end}}"));
    }

    @TestFactory
    Stream<DynamicTest> givenSameDaemon_whenImagesTemplateRenderedByBerthAndDocker_thenOutputsEqual() {
        return compareAll(List.of("images", "--format"), List.of(
                "{{.Repository}}:{{.Tag}}",
                "table {{.Repository}}\t{{.Tag}}\t{{.ID}}",
                "{{.ID}} {{.Digest}} {{.Repository}}",
                "{{printf \"%.12s\" .ID}}/{{.Tag}}"));
    }

    @TestFactory
    Stream<DynamicTest> givenSameDaemon_whenInspectTemplateRenderedByBerthAndDocker_thenOutputsEqual() {
        return compareAll(List.of("inspect", "alpha", "beta", "--format"), List.of(
                "{{.Name}} {{.State.Status}} {{index .Config.Labels \"tier\"}}",
                "{{json .Config.Cmd}}",
                "{{range .Config.Cmd}}<{{.}}>{{end}}",
                "{{.HostConfig.NetworkMode}} {{.State.Running}} {{.RestartCount}}",
                "{{with .Config.Labels}}{{.team}}{{else}}none{{end}}",
                "{{join .Config.Cmd \"+\"}}"));
    }

    private Stream<DynamicTest> compareAll(List<String> command, List<String> templates) {
        return templates.stream().map(template -> DynamicTest.dynamicTest(String.join(" ", command) + " " + template,
                () -> {
                    List<String> args = new ArrayList<>(command);
                    args.add(template);
                    String[] argv = args.toArray(String[]::new);
                    Outcome expected = docker(argv);
                    assertEquals(0, expected.exitCode(), "docker " + args + " failed: " + expected.err());
                    BerthDist.Result actual = berth(argv);
                    assertEquals(0, actual.exitCode(), "berth " + args + " failed: " + actual.err());
                    assertEquals(sorted(expected.out()), sorted(actual.out()), "berth " + args);
                }));
    }

    /** Rows in a stable order: a table keeps its header first, the rest is sorted (both CLIs sort by time). */
    private static String sorted(String out) {
        List<String> lines = new ArrayList<>(out.lines().toList());
        if (!lines.isEmpty() && lines.getFirst().equals(lines.getFirst().toUpperCase())
                && lines.getFirst().matches(".*[A-Z]{2,}.*")) {
            String header = lines.removeFirst();
            lines.sort(null);
            lines.addFirst(header);
        } else {
            lines.sort(null);
        }
        return String.join("\n", lines);
    }

    private record Outcome(int exitCode, String out, String err) { }

    private Outcome docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(DOCKER.toString(), "-H", "unix://" + socket));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "docker-out", ".txt");
        Path err = Files.createTempFile(tmp, "docker-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("DOCKER_CONFIG", tmp.resolve("docker-config").toString());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("docker " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private BerthDist.Result berth(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("-H", "unix://" + socket, "--root", root.toString()));
        all.addAll(List.of(args));
        return berth.run(Map.of("DOCKER_CONFIG", tmp.resolve("docker-config").toString()), null, 120,
                all.toArray(String[]::new));
    }

    private static void expectOk(BerthDist.Result r) {
        assertEquals(0, r.exitCode(), "exit " + r.exitCode() + "\nstdout:\n" + r.out() + "\nstderr:\n" + r.err());
    }
}
