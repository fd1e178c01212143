package io.berth.cli.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Defect 2 of issue 15, end to end through the installed CLI and daemon: {@code berth cp -L ctr:/sh out} where
 * {@code /sh -> /etc/shadow} in the container gives the container's file, never a link on the host that reads
 * the host's {@code /etc/shadow}; a link as the destination of a copy in is followed inside the container.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CpFollowLinkIT {
    private Path tmp;
    private BerthDist berth;
    private LocalRegistry registry;
    private Path root;
    private String host;
    private String image;

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("berth-cp-link-it");
        berth = BerthDist.get();
        registry = LocalRegistry.start(Files.createDirectories(tmp.resolve("registry")));
        Path layout = LocalRegistry.busyboxLayout(Files.createDirectories(tmp.resolve("image")),
                List.of("sh", "echo", "cat", "sleep", "ln", "mkdir"));
        registry.push(layout, "busybox:1");
        image = registry.host() + "/busybox:1";
        root = tmp.resolve("root");
        host = "unix://" + tmp.resolve("berth.sock");
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (root != null && Files.exists(root.resolve("berth.pid"))) {
                berth("rm", "-f", "-v", "links");
            }
        } finally {
            if (root != null) {
                BerthDist.stopDaemon(root.resolve("berth.pid"));
            }
            if (registry != null) {
                registry.close();
            }
            if (tmp != null && !Files.readString(Path.of("/proc/self/mounts")).contains(tmp.toString())) {
                try (var walk = Files.walk(tmp)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @Test
    void defect2_cpFollowLinkCopiesTheContainersFileNeverTheHosts() throws Exception {
        byte[] hostShadow = Files.readAllBytes(Path.of("/etc/shadow"));
        BerthDist.Result run = berth("run", "-d", "--name", "links", image, "sh", "-c",
                "mkdir -p /etc && echo container-shadow > /etc/shadow && ln -s /etc/shadow /sh && ln -s /etc /x"
                        + " && ln -s /x/shadow /chained && ln -s ../../../../etc/shadow /climbing && echo ready > /ready && sleep 300");
        assertEquals(0, run.exitCode(), describe(run));
        for (int i = 0; i < 100 && berth("exec", "links", "cat", "/ready").exitCode() != 0; i++) {
            Thread.sleep(50);
        }
        for (String link : List.of("sh", "chained", "climbing")) {
            Path out = tmp.resolve("out-" + link);
            BerthDist.Result cp = berth("cp", "-L", "links:/" + link, out.toString());
            assertEquals(0, cp.exitCode(), describe(cp));
            assertTrue(Files.isRegularFile(out, LinkOption.NOFOLLOW_LINKS), link + ": a file, not a link on the host");
            assertEquals("container-shadow\n", Files.readString(out), link);
        }
        Path into = Files.createDirectories(tmp.resolve("into"));
        BerthDist.Result named = berth("cp", "-L", "links:/sh", into.toString());
        assertEquals(0, named.exitCode(), describe(named));
        assertEquals("container-shadow\n", Files.readString(into.resolve("sh")), "named after the link, as Docker does");

        Path plain = tmp.resolve("plain");
        assertEquals(0, berth("cp", "links:/sh", plain.toString()).exitCode());
        assertTrue(Files.isSymbolicLink(plain), "without -L the link itself, as Docker");

        // a copy in whose destination is a link writes where the link leads inside the container
        Path replacement = tmp.resolve("replacement");
        Files.writeString(replacement, "written through the link\n");
        BerthDist.Result in = berth("cp", replacement.toString(), "links:/chained");
        assertEquals(0, in.exitCode(), describe(in));
        assertEquals("written through the link\n", berth("exec", "links", "cat", "/etc/shadow").out());
        assertEquals(new String(hostShadow), Files.readString(Path.of("/etc/shadow")), "the host's file is untouched");

        Path tree = Files.createDirectories(tmp.resolve("tree/sub"));
        Files.writeString(tree.resolve("b"), "deep\n");
        Files.createSymbolicLink(tmp.resolve("tree/link"), Path.of("sub/b"));
        BerthDist.Result cpTree = berth("cp", tmp.resolve("tree").toString(), "links:/");
        assertEquals(0, cpTree.exitCode(), describe(cpTree) + Files.readString(root.resolve("daemon.log")));
    }

    private BerthDist.Result berth(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-H", host, "--root", root.toString()));
        all.addAll(List.of(args));
        return berth.run(Map.of("DOCKER_CONFIG", tmp.resolve("docker-config").toString()), null, 120, all.toArray(String[]::new));
    }

    private static String describe(BerthDist.Result r) {
        return "exit " + r.exitCode() + "\nstdout:\n" + r.out() + "\nstderr:\n" + r.err();
    }
}
