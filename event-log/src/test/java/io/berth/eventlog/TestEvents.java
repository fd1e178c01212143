package io.berth.eventlog;

import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.ImageDescription;
import io.berth.eventlog.events.VolumeEvent;
import io.berth.eventlog.events.ImageEvent;
import io.berth.eventlog.events.ImageLayer;

import io.berth.eventlog.events.DaemonEvent.DaemonStarted;
import io.berth.eventlog.events.DaemonEvent.DaemonStopped;
import io.berth.eventlog.events.Event;
import io.berth.eventlog.events.PluginEvent.PluginFailed;
import io.berth.eventlog.events.PluginEvent.PluginLoaded;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Sample events of every type, and small helpers shared by the tests. */
final class TestEvents {
    static final Actor ACTOR = new Actor(1000, "alice", 4242, "berth-cli/0.1.0");

    private TestEvents() {}

    /** One sample per known type; fails when a type is added without a sample here. */
    private static final String DIGEST_A = "sha256:" + "a".repeat(64);
    private static final String DIGEST_B = "sha256:" + "b".repeat(64);
    private static final String DIGEST_C = "sha256:" + "c".repeat(64);
    private static final ImageDescription IMAGE = new ImageDescription(DIGEST_C, DIGEST_A,
            "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.config.v1+json",
            List.of(new ImageLayer(DIGEST_A, "application/vnd.oci.image.layer.v1.tar+gzip", 2048, DIGEST_B, DIGEST_B)),
            "linux", "amd64", "", "2026-11-28T10:00:00Z", 4096);

    static List<Event> oneOfEach() {
        List<Event> samples = List.of(
                new DaemonStarted("h1", "0.1.0", 77, "/var/lib/berth", "/run/berth/berth.sock", ""),
                new DaemonStopped("h1", "SIGTERM"),
                new io.berth.eventlog.events.DaemonEvent.LogCompacted("h1", 41, "2026-11-28T10:00:00Z", "compacted-00000000000000000041.json",
                        List.of("20261127F.cq4"), "/var/lib/berth/events/archive"),
                new PluginLoaded("runtime-runc", "0.1.0", "/p/runc.jar", List.of("io.berth.spi.ContainerRuntime=Runc")),
                new PluginFailed("bad.jar", "/p/bad.jar", "no Plugin-Id in the manifest"),
                new io.berth.eventlog.events.NoteEvent.NoteRecorded("h1", "maintenance: kernel upgrade"),
                new ImageEvent.PullStarted("docker.io/library/busybox:latest", "linux/amd64"),
                new ImageEvent.LayerDownloaded("docker.io/library/busybox:latest", DIGEST_A, 2048, 512, false),
                new ImageEvent.LayerUnpacked("docker.io/library/busybox:latest", DIGEST_B, DIGEST_B, 4096),
                new ImageEvent.ImagePulled("docker.io/library/busybox:latest", "docker.io/library/busybox@" + DIGEST_A, IMAGE, false),
                new ImageEvent.PullFailed("127.0.0.1:5000/nope:1", "registry 127.0.0.1:5000: nope:1: manifest unknown"),
                new ImageEvent.ImagePushed(DIGEST_C, "127.0.0.1:5000/busybox:1", DIGEST_A, 2, 1),
                new ImageEvent.PushFailed("127.0.0.1:5000/busybox:1", "registry down"),
                new ImageEvent.ImageTagged(DIGEST_C, "docker.io/library/busybox:latest"),
                new ImageEvent.ImageUntagged(DIGEST_C, "docker.io/library/busybox:latest"),
                new ImageEvent.ImageRemoved(DIGEST_C),
                new ImageEvent.ImageLoaded(IMAGE, "docker-archive", List.of("docker.io/library/busybox:latest")),
                new ImageEvent.LayerRemoved(DIGEST_B),
                new ImageEvent.BlobRemoved(DIGEST_A, 2048),
                new ContainerEvent.ContainerCreated("c".repeat(64), "web", "busybox", DIGEST_C, "{\"Config\":{}}"),
                new ContainerEvent.ContainerStarted("c".repeat(64), 4242),
                new ContainerEvent.ContainerStartFailed("c".repeat(64), 127, "exec: \"nope\": executable file not found in $PATH"),
                new ContainerEvent.ContainerKilled("c".repeat(64), 15),
                new ContainerEvent.ContainerExited("c".repeat(64), 137, 9, true, "2026-11-28T10:00:00Z", false),
                new ContainerEvent.ContainerRemoved("c".repeat(64), List.of("d".repeat(64))),
                new ContainerEvent.ContainerRenamed("c".repeat(64), "web", "web2"),
                new ContainerEvent.ExecStarted("c".repeat(64), "e".repeat(64), List.of("sh", "-c", "ls"), "", Map.of("A", "1")),
                new ContainerEvent.ExecExited("c".repeat(64), "e".repeat(64), 0),
                new ContainerEvent.ContainerPaused("c".repeat(64)),
                new ContainerEvent.ContainerUnpaused("c".repeat(64)),
                new ContainerEvent.ContainerUpdated("c".repeat(64), Map.of("Memory", "67108864"), "{\"Config\":{},\"HostConfig\":{\"Memory\":67108864}}"),
                new ContainerEvent.ContainerStopped("c".repeat(64)),
                new ContainerEvent.ContainerHealthChanged("c".repeat(64), "healthy", 0, 0, "ok\n"),
                new VolumeEvent.VolumeCreated("data", "local", "/var/lib/berth/volumes/data/_data", Map.of(), false),
                new VolumeEvent.VolumeRemoved("data"),
                new io.berth.eventlog.events.NetworkEvent.NetworkCreated("d".repeat(64), "app", "bridge",
                        List.of(new io.berth.spi.network.Subnet("10.213.1.0/24", "10.213.1.1")), "berth1", false, true,
                        Map.of("team", "a"), Map.of(), "netavark"),
                new io.berth.eventlog.events.NetworkEvent.ContainerConnected("d".repeat(64), "e".repeat(64), "eth0", "10.213.1.2", 24,
                        "10.213.1.1", "0a:58:0a:d5:01:02", List.of("web", "eeeeeeeeeeee"), List.of("10.213.1.1")),
                new io.berth.eventlog.events.NetworkEvent.PortsPublished("d".repeat(64), "e".repeat(64),
                        List.of(new io.berth.spi.network.PortMapping("127.0.0.1", 8080, 80, "tcp", 1))),
                new io.berth.eventlog.events.NetworkEvent.ContainerDisconnected("d".repeat(64), "e".repeat(64)),
                new io.berth.eventlog.events.NetworkEvent.MembershipAdded("d".repeat(64), "e".repeat(64), List.of("snooze"), "10.213.1.9"),
                new io.berth.eventlog.events.NetworkEvent.MembershipDropped("d".repeat(64), "e".repeat(64)),
                new io.berth.eventlog.events.NetworkEvent.NetworkRemoved("d".repeat(64), "app"),
                new io.berth.eventlog.events.BuildEvent.BuildStarted("b".repeat(64), DIGEST_A, "Dockerfile", DIGEST_B,
                        Map.of("V", "1"), "", List.of("docker.io/library/demo:latest"), Map.of("l", "v"), false, ""),
                new io.berth.eventlog.events.BuildEvent.BuildStepStarted("b".repeat(64), 1, "0", "FROM busybox", "Dockerfile:1"),
                new io.berth.eventlog.events.BuildEvent.BuildStepCached("b".repeat(64), 2, DIGEST_A, "a".repeat(64), 2, DIGEST_B,
                        "same parent and instruction as build aaaaaaaaaaaa step 2"),
                new io.berth.eventlog.events.BuildEvent.BuildStepCompleted("b".repeat(64), 3, "RUN echo hi", DIGEST_A, DIGEST_B,
                        Map.of("V", "1"), Map.of("app/x", DIGEST_C), DIGEST_B, DIGEST_C, 120, 35, "instruction changed"),
                new io.berth.eventlog.events.BuildEvent.BuildStepFailed("b".repeat(64), 4, 1, "RUN false: exit code 1", List.of("oops")),
                new io.berth.eventlog.events.BuildEvent.BuildCacheMountUsed("b".repeat(64), 3, "go-build", "/root/.cache/go-build", "shared", true),
                new io.berth.eventlog.events.BuildEvent.BuildCompleted("b".repeat(64), DIGEST_C, List.of("docker.io/library/demo:latest"),
                        DIGEST_A, 1200),
                new io.berth.eventlog.events.BuildEvent.BuildFailed("b".repeat(64), "Dockerfile:4: RUN false: exit code 1", DIGEST_A));
        Map<String, Class<? extends Event>> all = EventTypes.all();
        for (String type : all.keySet()) {
            if (samples.stream().noneMatch(e -> e.getClass() == all.get(type))) {
                throw new AssertionError("add a sample of " + type + " to TestEvents.oneOfEach");
            }
        }
        return samples;
    }

    static PendingEvent pending(int i) {
        return new PendingEvent(new PluginFailed("plugin-" + i, "/p/" + i + ".jar", "reason " + i), ACTOR, "corr-" + i);
    }

    static List<PendingEvent> batch(int from, int count) {
        List<PendingEvent> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batch.add(pending(from + i));
        }
        return batch;
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path cycleFile(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".cq4")).sorted().reduce((a, b) -> b).orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
