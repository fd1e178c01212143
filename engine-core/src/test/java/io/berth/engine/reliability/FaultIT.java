package io.berth.engine.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.engine.daemon.TestDaemons;
import io.berth.spi.tck.fixtures.Tar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The reliability campaign's faults, on a real daemon in a child JVM.
 *
 * <p><b>kill -9</b>: {@value #DEFAULT_ITERATIONS} times, a client loops over one of pull (of four images
 * with a 16 MiB layer, then rmi of all four and prune), build, run (create, start, wait) and rm (create, start, rm -f) while the daemon is killed
 * with SIGKILL after a random delay; the daemon is started again on the same root and then: the
 * log's replay equals the live state, every layer the projection lists is complete and every visible
 * blob hashes to its name, nothing is left that no running container owns, and every request that
 * was answered 2xx before the kill has its event (same type, same correlation id) in the log.
 *
 * <p><b>ENOSPC</b>: the daemon's root on a small ext4 file system on a loop device (mounted under
 * /tmp, unmounted afterwards); a pull and a build each bigger than the free space fail with one clear
 * line, the stores stay consistent, and the daemon still runs a container afterwards.
 *
 * <p>Alone: {@code mvn -B -ntp -pl engine-core -am -Dit.test=FaultIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false verify}.
 * Larger: {@code BERTH_FAULT_ITERATIONS}, {@code BERTH_FAULT_SEED}, {@code BERTH_FAULT_MAX_DELAY_MS}.
 */
@Tag("reliability")
class FaultIT {
    static final int DEFAULT_ITERATIONS = 52;
    private static final String[] KINDS = {"pull", "build", "run", "rm"};
    private static final int PULL_IMAGES = 4;

    /** A request answered 2xx before a kill, and the event that must be in the log for it. */
    record Answered(String eventType, String correlation, String what) {}

    @Test
    void givenKillNineDuringPullBuildRunAndRmWhenRestartedThenReplayEqualsLiveNoHalfLayerNoLostEventNothingLeft() throws Exception {
        int iterations = LoadIT.env("BERTH_FAULT_ITERATIONS", DEFAULT_ITERATIONS);
        int maxDelay = LoadIT.env("BERTH_FAULT_MAX_DELAY_MS", 1500);
        long seed = LoadIT.env("BERTH_FAULT_SEED", 15);
        Random rnd = new Random(seed);
        Path work = Files.createTempDirectory("berth-fault-it");
        List<String> findings = new ArrayList<>();
        int[] injected = new int[KINDS.length];
        long answeredChecked = 0;
        Report report = new Report("faults-kill", "BERTH_FAULT_ITERATIONS=" + iterations + " BERTH_FAULT_SEED=" + seed
                + " BERTH_FAULT_MAX_DELAY_MS=" + maxDelay
                + " mvn -B -ntp -pl engine-core -am -Dit.test=FaultIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false verify");
        long started = System.nanoTime();
        List<Long> restartMillis = new ArrayList<>();
        try (Campaign campaign = Campaign.create(work, null);
             Requests requests = new Requests(campaign.socket, Duration.ofSeconds(120))) {
            List<String> pullable = new ArrayList<>();
            for (int i = 0; i < PULL_IMAGES; i++) {
                pullable.add(campaign.pushRandomImage("fault-" + i, 16 << 20, 100 + i));
            }
            campaign.start();
            Requests.Outcome base = requests.post("pull", "/images/create?fromImage=" + Campaign.enc(campaign.base), "");
            assertTrue(base.ok() && base.body().contains("Downloaded newer image"), base.body());
            AtomicInteger nextPull = new AtomicInteger();
            StateAudit audit = new StateAudit(campaign.root, campaign.socket);

            for (int i = 0; i < iterations; i++) {
                String kind = KINDS[i % KINDS.length];
                int delay = rnd.nextInt(maxDelay);
                Queue<Answered> answered = new ConcurrentLinkedQueue<>();
                requests.expectDaemonDown(true);
                Thread client = Thread.ofVirtual().start(() -> loop(kind, requests, campaign, pullable, nextPull, answered));
                Thread.sleep(delay);
                campaign.kill9();
                injected[i % KINDS.length]++;
                client.join(TimeUnit.SECONDS.toMillis(130));
                requests.expectDaemonDown(false);
                long t0 = System.nanoTime();
                campaign.start();
                restartMillis.add((System.nanoTime() - t0) / 1_000_000);

                String where = "iteration " + i + " (" + kind + ", killed after " + delay + " ms): ";
                List<String> found = new ArrayList<>(audit.replay());
                found.addAll(audit.layers());
                found.addAll(audit.blobs());
                found.addAll(audit.settledLeftovers(15_000));
                found.addAll(lostEvents(campaign, answered));
                answeredChecked += answered.size();
                found.forEach(f -> findings.add(where + f));
            }
            findings.addAll(requests.findings());
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            report.line("seed: " + seed + ", iterations: " + iterations + ", kill delay: uniform in [0, " + maxDelay + ") ms, "
                            + seconds + " s in all")
                    .line("faults injected (kill -9): " + iterations + " — pull " + injected[0] + ", build " + injected[1]
                            + ", run " + injected[2] + ", rm " + injected[3])
                    .line("answered requests checked for their event after the restart: " + answeredChecked)
                    .line("requests: " + requests.total() + " (" + requests.count(Requests.Kind.ANSWERED) + " answered, "
                            + requests.count(Requests.Kind.REFUSED) + " refused, " + requests.count(Requests.Kind.TRANSPORT)
                            + " cut by a kill)")
                    .line("restart to /_ping: median " + restartMillis.stream().sorted().toList().get(restartMillis.size() / 2)
                            + " ms, max " + restartMillis.stream().mapToLong(Long::longValue).max().orElse(0) + " ms")
                    .counts("requests by operation and outcome", requests.counts())
                    .counts("refusals", requests.refusals())
                    .list("inconsistencies found", findings)
                    .write();
        } finally {
            TestDaemons.deleteTree(work);
        }
        assertEquals(List.of(), findings, "kill -9 left inconsistencies: see target/reliability/faults-kill.md");
    }

    @Test
    void givenAFullDiskWhenPullingAndBuildingThenOneClearErrorConsistentStoresAndTheDaemonStillServes() throws Exception {
        int diskMegabytes = LoadIT.env("BERTH_ENOSPC_DISK_MB", 128);
        int payloadMegabytes = diskMegabytes + 32;
        Path work = Files.createTempDirectory("berth-enospc-it");
        Path disk = work.resolve("disk.img");
        Path mountPoint = Files.createDirectories(work.resolve("mnt"));
        List<String> findings = new ArrayList<>();
        Report report = new Report("faults-enospc", "BERTH_ENOSPC_DISK_MB=" + diskMegabytes
                + " mvn -B -ntp -pl engine-core -am -Dit.test=FaultIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false verify");
        try {
            // a real, small ext4 on a loop device: the kernel's own ENOSPC, as on a full disk
            try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(disk.toFile(), "rw")) {
                file.setLength((long) diskMegabytes << 20);
            }
            must("mkfs.ext4", "-q", "-F", "-m", "0", disk.toString());
            must("mount", "-o", "loop", disk.toString(), mountPoint.toString());
            try {
                Path root = Files.createDirectories(mountPoint.resolve("root"));
                try (Campaign campaign = Campaign.create(work, root);
                     Requests requests = new Requests(campaign.socket, Duration.ofSeconds(180))) {
                    String big = campaign.pushRandomImage("big", payloadMegabytes << 20, 7);
                    campaign.start();
                    Requests.Outcome base = requests.post("pull", "/images/create?fromImage=" + Campaign.enc(campaign.base), "");
                    assertTrue(base.ok(), base.body());
                    findings.addAll(runSmall(requests, campaign.base, "before the disk is full"));
                    StateAudit audit = new StateAudit(campaign.root, campaign.socket);
                    report.line("disk: " + diskMegabytes + " MB ext4 on a loop device; pull and build of " + payloadMegabytes
                            + " MB of incompressible data each")
                            .line("free before the pull: " + free(root) + " MB");

                    int colon = big.lastIndexOf(':');
                    Requests.Outcome pulled = requests.post("pull", "/images/create?fromImage="
                            + Campaign.enc(big.substring(0, colon)) + "&tag=" + big.substring(colon + 1), "");
                    report.line("pull: " + pulled.kind() + " " + pulled.status() + ": " + pulled.message())
                            .line("free after the pull: " + free(root) + " MB");
                    findings.addAll(afterFull("pull", pulled, requests, campaign, audit));

                    // a build that fills the disk from a RUN, as builds usually do
                    byte[] filling = Tar.create()
                            .file("Dockerfile", 0644, ("FROM " + campaign.base + "\nRUN dd if=/dev/zero of=/fill bs=1048576 count="
                                    + payloadMegabytes + "\n").getBytes(StandardCharsets.UTF_8))
                            .toBytes();
                    Requests.Outcome filled = requests.send("build", "POST", "/build?t=enospc/run", filling, "application/x-tar");
                    report.line("build (RUN writes " + payloadMegabytes + " MB): " + filled.kind() + " " + filled.status() + ": "
                                    + filled.message())
                            .line("free after that build: " + free(root) + " MB");
                    findings.addAll(afterFull("build with a RUN filling the disk", filled, requests, campaign, audit));

                    byte[] payload = new byte[payloadMegabytes << 20];
                    new Random(8).nextBytes(payload);
                    byte[] context = Tar.create()
                            .file("Dockerfile", 0644, ("FROM " + campaign.base + "\nCOPY big.bin /big.bin\n").getBytes(StandardCharsets.UTF_8))
                            .file("big.bin", 0644, payload)
                            .toBytes();
                    payload = null;
                    Requests.Outcome built = requests.send("build", "POST", "/build?t=enospc/big", context, "application/x-tar");
                    report.line("build (a context of " + payloadMegabytes + " MB): " + built.kind() + " " + built.status() + ": " + built.message())
                            .line("free after the build: " + free(root) + " MB");
                    findings.addAll(afterFull("build with a context bigger than the disk", built, requests, campaign, audit));
                    findings.addAll(requests.findings());
                    report.counts("requests by operation and outcome", requests.counts())
                            .list("inconsistencies found", findings)
                            .write();
                }
            } finally {
                Campaign.quiet("umount", mountPoint.toString());
                Campaign.quiet("umount", "-l", mountPoint.toString());
            }
        } finally {
            TestDaemons.deleteTree(work);
        }
        assertEquals(List.of(), findings, "a full disk left inconsistencies: see target/reliability/faults-enospc.md");
    }

    /** After a request that could not fit: refused with a clear line, the stores consistent, the daemon serving. */
    private static List<String> afterFull(String what, Requests.Outcome outcome, Requests rq, Campaign campaign, StateAudit audit)
            throws Exception {
        List<String> out = new ArrayList<>();
        if (outcome.kind() != Requests.Kind.REFUSED) {
            out.add(what + " on a full disk: expected a refusal with one clear line, got " + outcome.kind() + " " + outcome.status()
                    + " " + outcome.message());
        }
        if (!campaign.alive()) {
            out.add(what + " on a full disk: the daemon died: " + tail(campaign.log));
            return out;
        }
        out.addAll(runSmall(rq, campaign.base, "after the " + what + " on a full disk"));
        for (String f : audit.all(10_000)) {
            out.add("after the " + what + " on a full disk: " + f);
        }
        return out;
    }

    /** A small container, run, its output read and removed: the daemon serves. */
    private static List<String> runSmall(Requests rq, String image, String when) {
        Requests.Outcome created = rq.post("create", "/containers/create",
                "{\"Image\":\"" + image + "\",\"Cmd\":[\"echo\",\"still serving\"]}");
        if (!created.ok()) {
            return List.of(when + ": create: " + created.kind() + " " + created.message());
        }
        String id = created.json().path("Id").asText();
        try {
            Requests.Outcome started = rq.post("start", "/containers/" + id + "/start", "");
            if (!started.ok()) {
                return List.of(when + ": start: " + started.kind() + " " + started.message());
            }
            rq.post("wait", "/containers/" + id + "/wait", "");
            Requests.Outcome read = rq.get("logs", "/containers/" + id + "/logs?stdout=1");
            String logs = read.response() == null ? "" : LoadIT.unframe(read.response().bytes());
            return logs.equals("still serving\n") ? List.of() : List.of(when + ": the container's logs are '" + logs + "'");
        } finally {
            rq.delete("rm", "/containers/" + id + "?force=1");
        }
    }

    private static long free(Path path) throws IOException {
        return Files.getFileStore(path).getUsableSpace() >> 20;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void must(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.strip());
        }
    }

    /** One kind of work, over and over, until the daemon is gone; what was answered goes to {@code answered}. */
    private static void loop(String kind, Requests rq, Campaign campaign, List<String> pullable, AtomicInteger nextPull,
                             Queue<Answered> answered) {
        int n = 0;
        while (true) {
            n++;
            boolean alive = switch (kind) {
                case "pull" -> pullOnce(rq, pullable, nextPull.getAndIncrement() % pullable.size(), answered);
                case "build" -> buildOnce(rq, campaign.base, answered);
                case "run" -> runOnce(rq, campaign.base, answered, false);
                default -> runOnce(rq, campaign.base, answered, true);
            };
            if (!alive || n > 10_000) {
                return;
            }
        }
    }

    private static boolean down(Requests.Outcome o) {
        return o.kind() == Requests.Kind.TRANSPORT || o.kind() == Requests.Kind.HANG;
    }

    /** Pulls the {@code k}th image; after the last one, removes them all and prunes, so the next pulls download again. */
    private static boolean pullOnce(Requests rq, List<String> pullable, int k, Queue<Answered> answered) {
        String reference = pullable.get(k);
        int colon = reference.lastIndexOf(':');
        Requests.Outcome pulled = rq.post("pull", "/images/create?fromImage=" + Campaign.enc(reference.substring(0, colon))
                + "&tag=" + reference.substring(colon + 1), "");
        if (down(pulled)) {
            return false;
        }
        if (pulled.ok() && pulled.body().contains("Status: Downloaded newer image")) {
            answered.add(new Answered("ImagePulled", pulled.correlation(), "pull " + reference));
        }
        if (k < pullable.size() - 1) {
            return true;
        }
        for (String each : pullable) {
            Requests.Outcome removed = rq.delete("rmi", "/images/" + each);
            if (down(removed)) {
                return false;
            }
            if (removed.ok() && removed.body().contains("Deleted")) {
                answered.add(new Answered("ImageRemoved", removed.correlation(), "rmi " + each));
            }
        }
        return !down(rq.post("prune", "/images/prune", ""));
    }

    private static boolean buildOnce(Requests rq, String base, Queue<Answered> answered) {
        String token = "fault-" + System.nanoTime();
        byte[] context = Tar.create()
                .file("Dockerfile", 0644, ("FROM " + base + "\nRUN echo " + token + " > /token\nCOPY data.txt /data.txt\n")
                        .getBytes(StandardCharsets.UTF_8))
                .file("data.txt", 0644, token.getBytes(StandardCharsets.UTF_8))
                .toBytes();
        Requests.Outcome built = rq.send("build", "POST", "/build?t=fault/build:latest", context, "application/x-tar");
        if (down(built)) {
            return false;
        }
        if (built.ok() && built.body().contains("\"ID\"")) {
            answered.add(new Answered("BuildCompleted", built.correlation(), "build " + token));
        }
        return true;
    }

    private static boolean runOnce(Requests rq, String base, Queue<Answered> answered, boolean remove) {
        String body = "{\"Image\":\"" + base + "\",\"Cmd\":[\"sh\",\"-c\",\"" + (remove ? "sleep 1000" : "echo ran; sleep 0.2") + "\"]}";
        Requests.Outcome created = rq.post("create", "/containers/create", body);
        if (down(created)) {
            return false;
        }
        if (!created.ok()) {
            return true;
        }
        String id = created.json().path("Id").asText();
        answered.add(new Answered("ContainerCreated", created.correlation(), "create " + id));
        Requests.Outcome started = rq.post("start", "/containers/" + id + "/start", "");
        if (down(started)) {
            return false;
        }
        if (started.ok()) {
            answered.add(new Answered("ContainerStarted", started.correlation(), "start " + id));
        }
        if (remove) {
            Requests.Outcome removed = rq.delete("rm", "/containers/" + id + "?force=1");
            if (removed.ok()) {
                answered.add(new Answered("ContainerRemoved", removed.correlation(), "rm " + id));
            }
            return !down(removed);
        }
        return !down(rq.post("wait", "/containers/" + id + "/wait", ""));
    }

    /** Answered requests whose event (type and correlation id) is not in the log after the restart. */
    private static List<String> lostEvents(Campaign campaign, Queue<Answered> answered) throws IOException {
        Set<String> logged = new HashSet<>();
        for (String line : io.berth.engine.daemon.UnixHttp.get(campaign.socket, "/berth/events?since=0").body().split("\n")) {
            if (!line.isBlank()) {
                JsonNode event = Requests.JSON.readTree(line);
                logged.add(event.path("type").asText() + " " + event.path("correlationId").asText());
            }
        }
        List<String> lost = new ArrayList<>();
        for (Answered a : answered) {
            if (!logged.contains(a.eventType() + " " + a.correlation())) {
                lost.add("lost event: " + a.what() + " was answered (correlation " + a.correlation() + ") but no "
                        + a.eventType() + " with that correlation is in the log");
            }
        }
        return lost;
    }
}
