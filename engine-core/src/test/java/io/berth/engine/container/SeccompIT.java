package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.daemon.Daemon;
import io.berth.engine.daemon.TestDaemons;
import io.berth.engine.daemon.UnixHttp;
import io.berth.spi.tck.fixtures.LocalRegistry;
import io.berth.spi.tck.fixtures.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seccomp, no-new-privileges and the cgroup namespace on a real daemon with real runc: Docker's
 * default profile is in force in every container (and in an exec), relaxed for added capabilities,
 * off with {@code seccomp=unconfined}, replaced by a profile sent inline; bad options are refused
 * at create with one line and nothing recorded.
 */
class SeccompIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalRegistry registry;
    private static Path root;
    private static Daemon daemon;
    private static String image;

    @BeforeAll
    static void start() throws Exception {
        registry = LocalRegistry.start();
        registry.push(TestImages.image(TestImages.Format.OCI, TestImages.hostPlatform(), TestImages.Compression.GZIP,
                List.of(TestImages.busyboxTar()), ""), "seccomp/busybox", "1");
        image = registry.host() + "/seccomp/busybox:1";
        root = Files.createTempDirectory("berth-seccomp-it");
        Path plugins = root.resolve("plugin-jars");
        TestDaemons.copyBuiltPlugins(plugins);
        daemon = new Daemon(TestDaemons.options(root, plugins));
        daemon.start();
        UnixHttp.Response pulled = UnixHttp.post(socket(), "/images/create?fromImage="
                + URLEncoder.encode(registry.host() + "/seccomp/busybox", StandardCharsets.UTF_8) + "&tag=1", "");
        assertTrue(pulled.body().contains("Downloaded newer image"), pulled.body());
    }

    @AfterAll
    static void stop() throws Exception {
        List<String> ids = daemon == null ? List.of() : daemon.containers().list().stream().map(c -> c.id()).toList();
        for (String id : ids) {
            UnixHttp.send(socket(), "DELETE", "/containers/" + id + "?force=1&v=1", null);
        }
        if (daemon != null) {
            daemon.stop("test finished");
        }
        try {
            assertFalse(Files.readString(Path.of("/proc/self/mounts")).contains(root.toString()), "no mount is left");
        } finally {
            TestDaemons.deleteTree(root);
            if (registry != null) {
                registry.close();
            }
        }
    }

    private static Path socket() {
        return root.resolve("berth.sock");
    }

    /** Runs {@code sh -c script} with these HostConfig fields; its output (stdout and stderr) and exit code. */
    private static String run(String script, String hostConfig) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("Image", image);
        ArrayNode cmd = body.putArray("Cmd");
        cmd.add("sh").add("-c").add(script);
        body.set("HostConfig", JSON.readTree(hostConfig));
        UnixHttp.Response created = UnixHttp.post(socket(), "/containers/create", body.toString());
        assertEquals(201, created.status(), created.body());
        String id = JSON.readTree(created.body()).get("Id").asText();
        UnixHttp.Response started = UnixHttp.post(socket(), "/containers/" + id + "/start", "");
        assertEquals(204, started.status(), started.body());
        int code = JSON.readTree(UnixHttp.post(socket(), "/containers/" + id + "/wait", "").body()).get("StatusCode").asInt();
        String out = logs(id);
        UnixHttp.send(socket(), "DELETE", "/containers/" + id + "?force=1", null);
        return out + "exit " + code;
    }

    private static String logs(String id) throws IOException {
        byte[] framed = UnixHttp.get(socket(), "/containers/" + id + "/logs?stdout=1&stderr=1").bytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i + 8 <= framed.length; ) {
            int size = ((framed[i + 4] & 0xff) << 24) | ((framed[i + 5] & 0xff) << 16) | ((framed[i + 6] & 0xff) << 8) | (framed[i + 7] & 0xff);
            out.write(framed, i + 8, size);
            i += 8 + size;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static final String SECCOMP_AND_UNSHARE =
            "busybox grep Seccomp: /proc/self/status; busybox unshare -Ur true && echo unshare ok || echo unshare refused";

    @Test
    void givenNoOptionThenDockersProfileIsInForceAndAUserNamespaceIsRefused() throws Exception {
        String out = run(SECCOMP_AND_UNSHARE, "{}");
        assertTrue(out.contains("Seccomp:\t2"), out);
        assertTrue(out.contains("Operation not permitted") && out.contains("unshare refused"), out);
    }

    @Test
    void givenSeccompUnconfinedThenThereIsNoFilterAndTheUserNamespaceIsMade() throws Exception {
        String out = run(SECCOMP_AND_UNSHARE, "{\"SecurityOpt\":[\"seccomp=unconfined\"]}");
        assertTrue(out.contains("Seccomp:\t0"), out);
        assertTrue(out.contains("unshare ok"), out);
    }

    @Test
    void givenCapSysAdminThenTheProfileIsRelaxedAsDockersButStaysOn() throws Exception {
        String out = run(SECCOMP_AND_UNSHARE + "; busybox unshare -m true && echo mountns ok",
                "{\"CapAdd\":[\"SYS_ADMIN\"]}");
        assertTrue(out.contains("Seccomp:\t2"), out);
        assertTrue(out.contains("unshare ok") && out.contains("mountns ok"), out);
    }

    @Test
    void givenDroppedSysChrootThenChrootIsRefusedByTheFilterAsWell() throws Exception {
        // chroot is allowed by the profile only with CAP_SYS_CHROOT, Docker's default; dropping it drops the syscall
        assertTrue(run("busybox chroot / true && echo chroot ok", "{}").contains("chroot ok"));
        String out = run("busybox chroot / true && echo chroot ok || echo chroot refused", "{\"CapDrop\":[\"SYS_CHROOT\"]}");
        assertTrue(out.contains("chroot refused"), out);
    }

    @Test
    void givenAProfileSentInlineThenItsRulesApplyInsteadOfTheDefault() throws Exception {
        String profile = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],"
                + "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}";
        ObjectNode host = JSON.createObjectNode();
        host.putArray("SecurityOpt").add("seccomp=" + profile);
        String out = run("busybox mkdir /made || echo mkdir refused; " + SECCOMP_AND_UNSHARE, host.toString());
        assertTrue(out.contains("Permission denied") && out.contains("mkdir refused"), out);
        assertTrue(out.contains("Seccomp:\t2") && out.contains("unshare ok"), "the default profile is replaced: " + out);
    }

    @Test
    void givenNoNewPrivilegesThenTheProcessAndAnExecHaveIt() throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("Image", image);
        body.putArray("Cmd").add("sleep").add("30");
        body.putObject("HostConfig").putArray("SecurityOpt").add("no-new-privileges");
        UnixHttp.Response created = UnixHttp.post(socket(), "/containers/create", body.toString());
        String id = JSON.readTree(created.body()).get("Id").asText();
        assertEquals(204, UnixHttp.post(socket(), "/containers/" + id + "/start", "").status());
        UnixHttp.Response exec = UnixHttp.post(socket(), "/containers/" + id + "/exec", "{\"Cmd\":[\"sh\",\"-c\","
                + "\"busybox grep -E 'Seccomp:|NoNewPrivs:' /proc/self/status; busybox unshare -Ur true || echo unshare refused\"],"
                + "\"AttachStdout\":true,\"AttachStderr\":true}");
        String execId = JSON.readTree(exec.body()).get("Id").asText();
        String out = new String(UnixHttp.post(socket(), "/exec/" + execId + "/start", "{\"Detach\":false}").bytes(), StandardCharsets.UTF_8);
        assertTrue(out.contains("NoNewPrivs:\t1"), out);
        assertTrue(out.contains("Seccomp:\t2") && out.contains("unshare refused"), "an exec inherits the filter: " + out);
        JsonNode inspect = JSON.readTree(UnixHttp.get(socket(), "/containers/" + id + "/json").body());
        assertEquals("[\"no-new-privileges\"]", inspect.at("/HostConfig/SecurityOpt").toString());
        UnixHttp.send(socket(), "DELETE", "/containers/" + id + "?force=1", null);
    }

    @Test
    void givenCgroupnsThenPrivateIsANamespaceOfItsOwnAndTheDefaultIsDockersForThisHost() throws Exception {
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/cgroup")).toString();
        String own = run("busybox readlink /proc/self/ns/cgroup", "{\"CgroupnsMode\":\"private\"}");
        assertTrue(own.startsWith("cgroup:[") && !own.contains(host), own);
        String shared = run("busybox readlink /proc/self/ns/cgroup", "{\"CgroupnsMode\":\"host\"}");
        assertTrue(shared.contains(host), shared);
        // Docker: private where the host is cgroup v2 only, host on a v1 or hybrid host (as this one)
        boolean unified = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        String byDefault = run("busybox readlink /proc/self/ns/cgroup", "{}");
        assertEquals(!unified, byDefault.contains(host), byDefault);
        ObjectNode body = JSON.createObjectNode();
        body.put("Image", image);
        body.putObject("HostConfig");
        String id = JSON.readTree(UnixHttp.post(socket(), "/containers/create", body.toString()).body()).get("Id").asText();
        assertEquals(unified ? "private" : "host",
                JSON.readTree(UnixHttp.get(socket(), "/containers/" + id + "/json").body()).at("/HostConfig/CgroupnsMode").asText());
        UnixHttp.send(socket(), "DELETE", "/containers/" + id, null);
    }

    @Test
    void givenABadSecurityOptionThenCreateIsRefusedWithOneLineAndNothingIsRecorded() throws Exception {
        for (String host : List.of("{\"SecurityOpt\":[\"seccomp=/etc/profile.json\"]}", "{\"SecurityOpt\":[\"fly\"]}",
                "{\"SecurityOpt\":[\"seccomp={\\\"defaultAction\\\":\\\"SCMP_ACT_FLY\\\"}\"]}", "{\"CgroupnsMode\":\"shared\"}")) {
            long before = daemon.containers().list().size();
            ObjectNode body = JSON.createObjectNode();
            body.put("Image", image);
            body.set("HostConfig", JSON.readTree(host));
            UnixHttp.Response created = UnixHttp.post(socket(), "/containers/create", body.toString());
            assertEquals(400, created.status(), created.body());
            String message = JSON.readTree(created.body()).get("message").asText();
            assertFalse(message.isBlank() || message.contains("\n"), message);
            assertEquals(before, daemon.containers().list().size(), host);
        }
    }
}
