package io.berth.cli.args;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Option values of run/create, checked against what Docker's CLI makes of them. */
class ContainerArgsTest {
    @TempDir
    Path dir;

    @Test
    void memorySizesAreBinaryUnitsAsDockersRamInBytes() {
        assertEquals(6L * 1024 * 1024, ContainerArgs.memoryBytes("6m"));
        assertEquals(6L * 1024 * 1024, ContainerArgs.memoryBytes("6M"));
        assertEquals(6L * 1024 * 1024, ContainerArgs.memoryBytes("6mb"));
        assertEquals(6L * 1024 * 1024, ContainerArgs.memoryBytes("6MiB"));
        assertEquals(1L << 30, ContainerArgs.memoryBytes("1g"));
        assertEquals(1536L * 1024 * 1024, ContainerArgs.memoryBytes("1.5g"));
        assertEquals(1L << 40, ContainerArgs.memoryBytes("1t"));
        assertEquals(512, ContainerArgs.memoryBytes("512"));
        assertEquals(512, ContainerArgs.memoryBytes("512b"));
        assertEquals(2048, ContainerArgs.memoryBytes("2 k"));
    }

    @Test
    void badMemorySizesAreRefusedWithDockersMessage() {
        for (String bad : List.of("x", "", "m", "6x", "-1", "6mm", "6kbb", "1.", ".5m", "1e3")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ContainerArgs.memoryBytes(bad), bad);
            assertEquals("invalid size: '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void cpusAreNanoCpus() {
        assertEquals(1_500_000_000L, ContainerArgs.nanoCpus("1.5"));
        assertEquals(2_000_000_000L, ContainerArgs.nanoCpus("2"));
        assertEquals(100_000_000L, ContainerArgs.nanoCpus(".1"));
        assertEquals("failed to parse x as a rational number",
                assertThrows(IllegalArgumentException.class, () -> ContainerArgs.nanoCpus("x")).getMessage());
    }

    @Test
    void restartPolicies() {
        assertEquals(new ContainerArgs.RestartPolicy("no", 0), ContainerArgs.restartPolicy("no"));
        assertEquals(new ContainerArgs.RestartPolicy("always", 0), ContainerArgs.restartPolicy("always"));
        assertEquals(new ContainerArgs.RestartPolicy("unless-stopped", 0), ContainerArgs.restartPolicy("unless-stopped"));
        assertEquals(new ContainerArgs.RestartPolicy("on-failure", 0), ContainerArgs.restartPolicy("on-failure"));
        assertEquals(new ContainerArgs.RestartPolicy("on-failure", 3), ContainerArgs.restartPolicy("on-failure:3"));
        assertEquals(Map.of("Name", "on-failure", "MaximumRetryCount", 3), ContainerArgs.restartPolicy("on-failure:3").toJson());
        assertEquals("invalid restart policy 'sometimes'",
                assertThrows(IllegalArgumentException.class, () -> ContainerArgs.restartPolicy("sometimes")).getMessage());
        assertEquals("maximum retry count cannot be used with restart policy 'always'",
                assertThrows(IllegalArgumentException.class, () -> ContainerArgs.restartPolicy("always:2")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ContainerArgs.restartPolicy("on-failure:x"));
        assertThrows(IllegalArgumentException.class, () -> ContainerArgs.restartPolicy("on-failure:-1"));
    }

    @Test
    void envFileLinesAreTakenAsIsCommentsAndBlanksSkippedBareNamesFromTheEnvironment() throws Exception {
        Path f = dir.resolve("env");
        Files.writeString(f, """
                # a comment
                A=1
                  B=two words
                C="quoted"
                FROM_ENV
                NOT_SET

                D=x=y\r
                E=
                """);
        assertEquals(List.of("A=1", "B=two words", "C=\"quoted\"", "FROM_ENV=here", "D=x=y", "E="),
                ContainerArgs.envFile(f, Map.of("FROM_ENV", "here")));
    }

    @Test
    void envFileErrors() throws Exception {
        Path f = dir.resolve("bad");
        Files.writeString(f, "OK=1\nBAD NAME=2\n");
        assertEquals(f + ": line 2: variable 'BAD NAME' contains whitespaces",
                assertThrows(IllegalArgumentException.class, () -> ContainerArgs.envFile(f, Map.of())).getMessage());
        Path missing = dir.resolve("missing");
        assertEquals("open " + missing + ": no such file or directory",
                assertThrows(IllegalArgumentException.class, () -> ContainerArgs.envFile(missing, Map.of())).getMessage());
    }

    @Test
    void envEntries() {
        assertEquals("A=1", ContainerArgs.envEntry("A=1", Map.of()));
        assertEquals("A=", ContainerArgs.envEntry("A=", Map.of()));
        assertEquals("HOME=/root", ContainerArgs.envEntry("HOME", Map.of("HOME", "/root")));
        assertNull(ContainerArgs.envEntry("UNSET", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> ContainerArgs.envEntry("=x", Map.of()));
    }

    @Test
    void volumeSpecs() {
        assertEquals(new MountArgs.VolumeSpec("/host:/ctr", null), MountArgs.volume("/host:/ctr"));
        assertEquals(new MountArgs.VolumeSpec("/host:/ctr:ro", null), MountArgs.volume("/host:/ctr:ro"));
        assertEquals(new MountArgs.VolumeSpec("data:/data:rw,nocopy", null), MountArgs.volume("data:/data:rw,nocopy"));
        assertEquals(new MountArgs.VolumeSpec(null, "/anon"), MountArgs.volume("/anon"));
        assertEquals("invalid volume specification: 'a:b:c:d'",
                assertThrows(IllegalArgumentException.class, () -> MountArgs.volume("a:b:c:d")).getMessage());
        assertEquals("invalid volume specification: 'data:rel': invalid mount config for type \"volume\": invalid mount"
                + " path: 'rel' mount path must be absolute",
                assertThrows(IllegalArgumentException.class, () -> MountArgs.volume("data:rel")).getMessage());
        assertEquals("invalid mode: rx",
                assertThrows(IllegalArgumentException.class, () -> MountArgs.volume("/a:/b:rx")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> MountArgs.volume("relative"));
        assertThrows(IllegalArgumentException.class, () -> MountArgs.volume("/a:/"));
        assertThrows(IllegalArgumentException.class, () -> MountArgs.volume("bad name:/x"));
        assertThrows(IllegalArgumentException.class, () -> MountArgs.volume(":/x"));
    }

    @Test
    void mountsAsDockersLongForm() {
        assertEquals(Map.of("Type", "bind", "Source", "/h", "Target", "/c", "ReadOnly", true),
                MountArgs.mount("type=bind,source=/h,target=/c,readonly"));
        assertEquals(Map.of("Type", "volume", "Source", "v", "Target", "/d", "ReadOnly", false),
                MountArgs.mount("src=v,dst=/d"));
        assertEquals(Map.of("Type", "volume", "Source", "v", "Target", "/d", "ReadOnly", false),
                MountArgs.mount("type=volume,source=v,destination=/d,ro=false"));
        assertEquals(Map.of("Type", "tmpfs", "Target", "/t", "ReadOnly", false,
                        "TmpfsOptions", Map.of("SizeBytes", 64L << 20, "Mode", 01777)),
                MountArgs.mount("type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1777"));
        assertEquals("target is required",
                assertThrows(IllegalArgumentException.class, () -> MountArgs.mount("type=bind,source=/h")).getMessage());
        assertEquals("invalid mount type: 'nfs', only bind, volume and tmpfs are supported",
                assertThrows(IllegalArgumentException.class, () -> MountArgs.mount("type=nfs,target=/x")).getMessage());
        assertEquals("unexpected key 'colour' in 'colour=red'",
                assertThrows(IllegalArgumentException.class, () -> MountArgs.mount("target=/x,colour=red")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> MountArgs.mount("type=bind,target=/x"));
        assertThrows(IllegalArgumentException.class, () -> MountArgs.mount("type=tmpfs,source=/h,target=/x"));
        assertThrows(IllegalArgumentException.class, () -> MountArgs.mount("target=rel"));
        assertThrows(IllegalArgumentException.class, () -> MountArgs.mount("target=/x,readonly=maybe"));
    }

    @Test
    void tmpfsLabelsSysctlsNetwork() {
        assertEquals(List.of("/run", "rw,size=64m"), List.of(MountArgs.tmpfs("/run:rw,size=64m")));
        assertEquals(List.of("/run", ""), List.of(MountArgs.tmpfs("/run")));
        assertThrows(IllegalArgumentException.class, () -> MountArgs.tmpfs("run"));
        assertEquals(List.of("a", "b=c"), List.of(ContainerArgs.keyValue("a=b=c")));
        assertEquals(List.of("flag", ""), List.of(ContainerArgs.keyValue("flag")));
        assertEquals(List.of("net.ipv4.ip_forward", "1"), List.of(ContainerArgs.sysctl("net.ipv4.ip_forward=1")));
        assertThrows(IllegalArgumentException.class, () -> ContainerArgs.sysctl("kernel.x"));
        assertEquals("host", ContainerArgs.network("host"));
        assertEquals("bridge", ContainerArgs.network("bridge"));
        assertEquals("app", ContainerArgs.network("app"));
        assertEquals("container:web", ContainerArgs.network("container:web"));
        assertEquals("stdout", ContainerArgs.attachStream("STDOUT"));
        assertThrows(IllegalArgumentException.class, () -> ContainerArgs.attachStream("stdall"));
    }

    @Test
    void securityOptSendsASeccompProfileFilesJsonAsDockersCliDoes() throws Exception {
        Path profile = dir.resolve("profile.json");
        Files.writeString(profile, "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"comment\": \"a b\\\" c\"\n}\n");
        assertEquals("seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\",\"comment\":\"a b\\\" c\"}",
                ContainerArgs.securityOpt("seccomp=" + profile));
        assertEquals("seccomp=unconfined", ContainerArgs.securityOpt("seccomp=unconfined"));
        assertEquals("no-new-privileges", ContainerArgs.securityOpt("no-new-privileges"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ContainerArgs.securityOpt("seccomp=" + dir.resolve("none.json")));
        assertEquals("opening seccomp profile (" + dir.resolve("none.json")
                + ") failed: no such file or directory", missing.getMessage());
        assertEquals("private", ContainerArgs.cgroupns("private"));
        assertThrows(IllegalArgumentException.class, () -> ContainerArgs.cgroupns("shared"));
    }

    @Test
    void publishedPortsAsDockersCliSendsThem() {
        PortArgs.Published one = PortArgs.publish("127.0.0.1:8080:80");
        assertEquals(Map.of("80/tcp", Map.of()), one.exposed());
        assertEquals(Map.of("80/tcp", List.of(Map.of("HostIp", "127.0.0.1", "HostPort", "8080"))), one.bindings());
        assertEquals(Map.of("53/udp", List.of(Map.of("HostIp", "", "HostPort", ""))), PortArgs.publish("53/udp").bindings());
        PortArgs.Published range = PortArgs.publish("8000-8001:80-81/tcp");
        assertEquals(List.of(Map.of("HostIp", "", "HostPort", "8001")), range.bindings().get("81/tcp"));
        assertEquals(List.of(Map.of("HostIp", "", "HostPort", "9000-9010")), PortArgs.publish("9000-9010:80").bindings().get("80/tcp"));
        assertEquals(List.of(Map.of("HostIp", "10.0.0.1", "HostPort", "")), PortArgs.publish("10.0.0.1::80").bindings().get("80/tcp"));
        assertThrows(IllegalArgumentException.class, () -> PortArgs.publish("80/sctp"));
        assertThrows(IllegalArgumentException.class, () -> PortArgs.publish("8000-8002:80-81"));
        assertThrows(IllegalArgumentException.class, () -> PortArgs.publish("70000:80"));
        assertThrows(IllegalArgumentException.class, () -> PortArgs.publish("a:b:c:d"));
        assertEquals(List.of("80/tcp", "81/tcp"), PortArgs.expose("80-81"));
        assertEquals("db:10.0.0.2", ContainerArgs.addHost("db=10.0.0.2"));
        assertThrows(IllegalArgumentException.class, () -> ContainerArgs.addHost("db"));
    }

    @Test
    void healthDurationsAreGoDurationsInNanoseconds() {
        assertEquals(30_000_000_000L, ContainerArgs.durationNanos("30s"));
        assertEquals(90_000_000_000L, ContainerArgs.durationNanos("1m30s"));
        assertEquals(500_000_000L, ContainerArgs.durationNanos("500ms"));
        assertEquals(1_500_000_000L, ContainerArgs.durationNanos("1.5s"));
        assertEquals(5_400_000_000_000L, ContainerArgs.durationNanos("1.5h"));
        assertEquals(0, ContainerArgs.durationNanos("0"));
        assertEquals("time: missing unit in duration \"10\"", assertThrows(IllegalArgumentException.class,
                () -> ContainerArgs.durationNanos("10")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ContainerArgs.durationNanos("1x"));
        assertThrows(IllegalArgumentException.class, () -> ContainerArgs.durationNanos(""));
    }
}
