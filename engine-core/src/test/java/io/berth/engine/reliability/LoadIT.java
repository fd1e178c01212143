package io.berth.engine.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.daemon.TestDaemons;
import io.berth.spi.tck.fixtures.Tar;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The reliability campaign's load: {@value #DEFAULT_CLIENTS} concurrent clients for
 * {@value #DEFAULT_SECONDS} s against one real daemon (child JVM, private root and socket), each
 * running, exec-ing, reading logs, building and pulling from a loopback registry. Then: every request
 * was answered or refused with one clear line (no 5xx, no hang, no dropped connection, no unclear
 * error), every answer was right (exit codes, output, logs complete and in order), the log's replay
 * equals the live state, every listed layer and visible blob is complete, and nothing is left that no
 * container owns (overlay mounts, cgroups, runc containers, conmon), before and after removing
 * everything.
 *
 * <p>Alone: {@code mvn -B -ntp -pl engine-core -am -Dit.test=LoadIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false verify}
 * (or {@code -Dgroups=reliability} for the whole campaign). Larger: {@code BERTH_LOAD_SECONDS},
 * {@code BERTH_LOAD_CLIENTS}.
 */
@Tag("reliability")
class LoadIT {
    static final int DEFAULT_CLIENTS = 20;
    static final int DEFAULT_SECONDS = 120;
    private static final int PULL_IMAGES = 4;

    private final AtomicLong containersRun = new AtomicLong();
    private final AtomicLong execs = new AtomicLong();
    private final AtomicLong logReads = new AtomicLong();
    private final AtomicLong builds = new AtomicLong();
    private final AtomicLong pulls = new AtomicLong();

    static int env(String name, int fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.strip());
    }

    @Test
    void twentyClientsForTwoMinutesGetClearAnswersAndLeaveAConsistentDaemon() throws Exception {
        int clients = env("BERTH_LOAD_CLIENTS", DEFAULT_CLIENTS);
        int seconds = env("BERTH_LOAD_SECONDS", DEFAULT_SECONDS);
        Path work = Files.createTempDirectory("berth-load-it");
        List<String> findings = new ArrayList<>();
        Report report = new Report("load", "BERTH_LOAD_CLIENTS=" + clients + " BERTH_LOAD_SECONDS=" + seconds
                + " mvn -B -ntp -pl engine-core -am -Dit.test=LoadIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false verify");
        try (Campaign campaign = Campaign.create(work, null);
             Requests requests = new Requests(campaign.root.resolve("berth.sock"), Duration.ofSeconds(120))) {
            List<String> pullable = new ArrayList<>();
            for (int i = 0; i < PULL_IMAGES; i++) {
                pullable.add(campaign.pushRandomImage("pull-" + i, 2 << 20, i));
            }
            campaign.start();
            Requests.Outcome pulled = requests.post("pull", "/images/create?fromImage=" + Campaign.enc(campaign.base), "");
            assertTrue(pulled.ok() && pulled.body().contains("Downloaded newer image"), pulled.body());

            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                running.add(pool.submit(() -> {
                    client(client, until, requests, campaign.base, pullable);
                    return null;
                }));
            }
            for (Future<?> f : running) {
                try {
                    f.get(seconds + 600L, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    requests.finding("client crashed: " + e.getCause());
                }
            }
            pool.shutdownNow();

            StateAudit audit = new StateAudit(campaign.root, campaign.socket);
            List<String> consistency = audit.all(20_000);
            findings.addAll(requests.findings());
            findings.addAll(consistency);
            long requestsUnderLoad = requests.total();

            // then remove everything through the API: nothing of this daemon may be left afterwards
            for (String id : audit.containers().keySet()) {
                Requests.Outcome removed = requests.delete("teardown", "/containers/" + id + "?force=1&v=1");
                if (!removed.ok()) {
                    findings.add("teardown: removing " + id + ": " + removed.kind() + " " + removed.message());
                }
            }
            List<String> afterRemoval = audit.settledLeftovers(20_000);
            findings.addAll(afterRemoval);
            findings.addAll(audit.replay());

            report.line("clients: " + clients + ", seconds: " + seconds)
                    .line("requests: " + requestsUnderLoad + " under load (" + requests.count(Requests.Kind.ANSWERED) + " answered, "
                            + requests.count(Requests.Kind.REFUSED) + " refused with a clear error, "
                            + requests.count(Requests.Kind.SERVER_ERROR) + " 5xx, " + requests.count(Requests.Kind.HANG) + " hangs, "
                            + requests.count(Requests.Kind.UNCLEAR) + " unclear, " + requests.count(Requests.Kind.TRANSPORT)
                            + " dropped connections, counted over all " + requests.total() + " with the teardown)")
                    .line("work done: " + containersRun + " containers run, " + execs + " execs, " + logReads + " log reads, "
                            + builds + " builds, " + pulls + " pulls")
                    .counts("requests by operation and outcome", requests.counts())
                    .counts("refusals (ids and numbers normalised)", requests.refusals())
                    .list("consistency findings after the load (replay, layers, blobs, leftovers)", consistency)
                    .list("leftovers after removing every container", afterRemoval)
                    .list("inconsistencies found", findings)
                    .write();
        } finally {
            TestDaemons.deleteTree(work);
        }
        assertEquals(List.of(), findings, "the load found inconsistencies: see target/reliability/load.md");
    }

    private void client(int c, long until, Requests rq, String base, List<String> pullable) throws Exception {
        Random rnd = new Random(1000 + c);
        String ticker = startTicker(rq, base, c);
        int n = 0;
        while (System.nanoTime() < until) {
            n++;
            int pick = rnd.nextInt(100);
            if (pick < 30) {
                run(rq, base, c, n);
            } else if (pick < 52 && ticker != null) {
                exec(rq, ticker, c, n);
            } else if (pick < 66 && ticker != null) {
                logs(rq, ticker);
            } else if (pick < 78) {
                build(rq, base, c, n, rnd);
            } else if (pick < 90) {
                pull(rq, pullable.get(rnd.nextInt(pullable.size())), rnd);
            } else {
                reads(rq, ticker);
            }
        }
    }

    private static String createBody(String image, String... cmd) {
        ObjectNode body = Requests.JSON.createObjectNode();
        body.put("Image", image);
        var array = body.putArray("Cmd");
        for (String a : cmd) {
            array.add(a);
        }
        return body.toString();
    }

    private static String startTicker(Requests rq, String base, int c) {
        Requests.Outcome created = rq.post("create", "/containers/create?name=ticker-" + c,
                createBody(base, "sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.5; done"));
        if (!created.ok()) {
            rq.finding("client " + c + ": cannot create its ticker: " + created.message());
            return null;
        }
        String id = created.json().path("Id").asText();
        Requests.Outcome started = rq.post("start", "/containers/" + id + "/start", "");
        if (!started.ok()) {
            rq.finding("client " + c + ": cannot start its ticker: " + started.message());
            return null;
        }
        return id;
    }

    private void run(Requests rq, String base, int c, int n) {
        String token = "run-" + c + "-" + n;
        Requests.Outcome created = rq.post("create", "/containers/create", createBody(base, "sh", "-c", "echo " + token + "; exit 3"));
        if (!created.ok()) {
            return;
        }
        String id = created.json().path("Id").asText();
        try {
            if (!rq.post("start", "/containers/" + id + "/start", "").ok()) {
                return;
            }
            Requests.Outcome waited = rq.post("wait", "/containers/" + id + "/wait", "");
            if (waited.ok() && waited.json().path("StatusCode").asInt(-1) != 3) {
                rq.finding("run " + token + ": wait says " + waited.body().strip() + ", the container exits 3");
            }
            Requests.Outcome logs = rq.get("logs", "/containers/" + id + "/logs?stdout=1&stderr=1");
            if (logs.ok() && !unframe(logs.response().bytes()).equals(token + "\n")) {
                rq.finding("run " + token + ": logs say '" + unframe(logs.response().bytes()) + "'");
            }
            containersRun.incrementAndGet();
        } finally {
            rq.delete("rm", "/containers/" + id + "?force=1");
        }
    }

    private void exec(Requests rq, String ticker, int c, int n) {
        String token = "exec-" + c + "-" + n;
        Requests.Outcome created = rq.post("exec", "/containers/" + ticker + "/exec",
                "{\"Cmd\":[\"sh\",\"-c\",\"echo " + token + "; exit 4\"],\"AttachStdout\":true,\"AttachStderr\":true}");
        if (!created.ok()) {
            return;
        }
        String exec = created.json().path("Id").asText();
        Requests.Outcome started = rq.post("exec-start", "/exec/" + exec + "/start", "{\"Detach\":false}");
        if (!started.ok()) {
            return;
        }
        if (!unframe(started.response().bytes()).equals(token + "\n")) {
            rq.finding("exec " + token + ": output '" + unframe(started.response().bytes()) + "'");
        }
        Requests.Outcome inspected = rq.get("exec-inspect", "/exec/" + exec + "/json");
        if (inspected.ok() && inspected.json().path("ExitCode").asInt(-1) != 4) {
            rq.finding("exec " + token + ": inspect says " + inspected.body().strip() + ", the exec exits 4");
        }
        execs.incrementAndGet();
    }

    private void logs(Requests rq, String ticker) {
        Requests.Outcome all = rq.get("logs", "/containers/" + ticker + "/logs?stdout=1&stderr=1");
        if (all.ok()) {
            List<String> lines = unframe(all.response().bytes()).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).equals("tick " + i)) {
                    rq.finding("logs of " + ticker + ": line " + i + " is '" + lines.get(i) + "' (" + lines.size() + " lines)");
                    break;
                }
            }
        }
        Requests.Outcome tail = rq.get("logs", "/containers/" + ticker + "/logs?stdout=1&tail=3");
        if (tail.ok() && unframe(tail.response().bytes()).lines().count() > 3) {
            rq.finding("logs --tail 3 of " + ticker + " gave " + unframe(tail.response().bytes()).lines().count() + " lines");
        }
        logReads.incrementAndGet();
    }

    private void build(Requests rq, String base, int c, int n, Random rnd) {
        String token = "build-" + c + "-" + n + "-" + rnd.nextInt(1_000_000);
        byte[] context = Tar.create()
                .file("Dockerfile", 0644, ("FROM " + base + "\nRUN echo " + token + " > /token\nCOPY data.txt /data.txt\n"
                        + "CMD [\"cat\", \"/token\"]\n").getBytes(StandardCharsets.UTF_8))
                .file("data.txt", 0644, token.getBytes(StandardCharsets.UTF_8))
                .toBytes();
        String tag = "load/c" + c + ":" + n;
        Requests.Outcome built = rq.send("build", "POST", "/build?t=" + Campaign.enc(tag), context, "application/x-tar");
        if (!built.ok()) {
            return;
        }
        if (!built.body().contains("\"ID\"")) {
            rq.finding("build " + token + ": answered without an image id: " + built.body().lines().reduce((a, b) -> b).orElse(""));
            return;
        }
        builds.incrementAndGet();
        if (rnd.nextBoolean()) {
            rq.delete("rmi", "/images/" + tag); // unescaped, as Docker's clients send it
        }
    }

    private void pull(Requests rq, String reference, Random rnd) {
        int colon = reference.lastIndexOf(':');
        Requests.Outcome pulled = rq.post("pull", "/images/create?fromImage=" + Campaign.enc(reference.substring(0, colon))
                + "&tag=" + reference.substring(colon + 1), "");
        if (pulled.ok()) {
            if (!pulled.body().contains("Status: ")) {
                rq.finding("pull " + reference + ": answered without a final status: " + pulled.body().lines().reduce((a, b) -> b).orElse(""));
            }
            pulls.incrementAndGet();
        }
        if (rnd.nextInt(10) < 4) {
            rq.delete("rmi", "/images/" + reference);
        }
    }

    private static void reads(Requests rq, String ticker) {
        rq.get("ps", "/containers/json?all=1");
        rq.get("images", "/images/json");
        rq.get("info", "/info");
        // a name with its slash escaped (%2F), as some clients send it: answered, or refused with a line
        rq.get("inspect-escaped", "/images/" + Campaign.enc("load/no-such:image") + "/json");
        long now = System.currentTimeMillis() / 1000;
        rq.get("events", "/events?since=" + (now - 5) + "&until=" + now);
        if (ticker != null) {
            rq.get("inspect", "/containers/" + ticker + "/json");
        }
    }

    /** Docker's stream frames (8-byte header, then the payload) to text. */
    static String unframe(byte[] framed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i + 8 <= framed.length) {
            int size = ((framed[i + 4] & 0xff) << 24) | ((framed[i + 5] & 0xff) << 16) | ((framed[i + 6] & 0xff) << 8) | (framed[i + 7] & 0xff);
            out.write(framed, i + 8, Math.min(size, framed.length - i - 8));
            i += 8 + size;
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
