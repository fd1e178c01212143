package io.berth.engine.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.daemon.UnixHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the reliability campaign checks on a daemon's root, each check a list of findings (empty when
 * consistent), each finding one line naming what is wrong and where:
 * <ul>
 *   <li>{@link #replay}: {@code POST /berth/system/replay} says the log's full replay equals the live state;</li>
 *   <li>{@link #layers}: every layer of every image the projection lists is complete in the storage driver;</li>
 *   <li>{@link #blobs}: every visible blob in the content store hashes to its name (nothing half-written is visible);</li>
 *   <li>{@link #leftovers}: no overlay mount, cgroup, runc container or conmon of this daemon that no running
 *       container owns, no snapshot that no container owns, and every container the projection calls
 *       running is running in runc.</li>
 * </ul>
 * Reads the host (/proc, /sys/fs/cgroup, runc) and the daemon's API; never changes anything.
 */
final class StateAudit {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> RUNNING = Set.of("running", "paused", "restarting");

    private final Path root;
    private final Path socket;

    StateAudit(Path root, Path socket) {
        this.root = root.toAbsolutePath();
        this.socket = socket;
    }

    Path runcRoot() {
        return root.resolve("plugins-data").resolve("runtime-runc").resolve("runc");
    }

    private Path storeData() {
        return root.resolve("plugins-data").resolve("store-overlayfs");
    }

    /** Every check; leftovers are re-read for up to {@code settleMillis} (exits are released asynchronously). */
    List<String> all(long settleMillis) throws IOException, InterruptedException {
        List<String> findings = new ArrayList<>(replay());
        findings.addAll(layers());
        findings.addAll(blobs());
        findings.addAll(settledLeftovers(settleMillis));
        return findings;
    }

    List<String> settledLeftovers(long settleMillis) throws IOException, InterruptedException {
        long until = System.currentTimeMillis() + settleMillis;
        List<String> left = leftovers();
        while (!left.isEmpty() && System.currentTimeMillis() < until) {
            Thread.sleep(250);
            left = leftovers();
        }
        return left;
    }

    List<String> replay() throws IOException {
        UnixHttp.Response r = UnixHttp.post(socket, "/berth/system/replay", "");
        if (r.status() != 200) {
            return List.of("replay: " + r.status() + " " + r.body().strip());
        }
        JsonNode report = JSON.readTree(r.body());
        if (report.path("Equal").asBoolean()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (JsonNode p : report.path("Projections")) {
            if (!p.path("Equal").asBoolean()) {
                out.add("replay differs from the live state in " + p.path("Name").asText() + ": " + p.path("Differences"));
            }
        }
        return out.isEmpty() ? List.of("replay: not equal: " + report) : out;
    }

    /** The chain ids of every image the projection lists, each checked complete in the storage driver. */
    List<String> layers() throws IOException {
        List<String> out = new ArrayList<>();
        Path layers = storeData().resolve("layers");
        for (JsonNode image : JSON.readTree(UnixHttp.get(socket, "/images/json?all=1").body())) {
            String id = image.path("Id").asText();
            JsonNode inspect = JSON.readTree(UnixHttp.get(socket, "/images/" + id + "/json").body());
            String chain = null;
            for (JsonNode diffId : inspect.path("RootFS").path("Layers")) {
                String parent = chain;
                chain = parent == null ? diffId.asText() : "sha256:" + sha256(parent + " " + diffId.asText());
                Path dir = layers.resolve(chain.substring("sha256:".length()));
                String where = "image " + id.substring(7, 19) + " layer " + chain;
                if (!Files.isDirectory(dir.resolve("diff"), LinkOption.NOFOLLOW_LINKS)) {
                    out.add(where + ": listed by the projection but no complete layer in the store (" + dir + ")");
                    continue;
                }
                for (String file : List.of("parent", "link", "size")) {
                    if (!Files.isRegularFile(dir.resolve(file), LinkOption.NOFOLLOW_LINKS)) {
                        out.add(where + ": " + file + " missing in " + dir);
                    }
                }
                if (Files.isRegularFile(dir.resolve("parent"))) {
                    String recorded = Files.readString(dir.resolve("parent")).strip();
                    String expected = parent == null ? "" : parent;
                    if (!recorded.equals(expected) && !recorded.equals(expected.replace("sha256:", ""))) {
                        out.add(where + ": parent file says '" + recorded + "', the image says '" + expected + "'");
                    }
                }
                if (Files.isRegularFile(dir.resolve("link"))) {
                    Path link = storeData().resolve("l").resolve(Files.readString(dir.resolve("link")).strip());
                    if (!Files.isDirectory(link)) {
                        out.add(where + ": its short link " + link + " does not lead to its diff");
                    }
                }
            }
        }
        return out;
    }

    /** Every visible blob's content hashes to its name; the image's config blob is there. */
    List<String> blobs() throws IOException {
        List<String> out = new ArrayList<>();
        Path dir = root.resolve("content").resolve("blobs").resolve("sha256");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path blob : files.toList()) {
                    String name = blob.getFileName().toString();
                    String actual;
                    try (InputStream in = Files.newInputStream(blob)) {
                        actual = sha256(in);
                    }
                    if (!actual.equals(name)) {
                        out.add("blob " + blob + " is visible but holds sha256:" + actual);
                    }
                }
            }
        }
        for (JsonNode image : JSON.readTree(UnixHttp.get(socket, "/images/json?all=1").body())) {
            String id = image.path("Id").asText();
            if (id.startsWith("sha256:") && !Files.isRegularFile(dir.resolve(id.substring(7)))) {
                out.add("image " + id + " is listed but its config blob is not in the store");
            }
        }
        return out;
    }

    /** Ids of every container and build this daemon's log names (the host may hold other daemons' cgroups). */
    Set<String> ours() throws IOException {
        Set<String> ids = new HashSet<>();
        String filter = URLEncoder.encode("{\"event\":[\"ContainerCreated\",\"BuildStarted\"]}", StandardCharsets.UTF_8);
        for (String line : UnixHttp.get(socket, "/berth/events?since=0&filters=" + filter).body().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode event = JSON.readTree(line);
            String subject = event.path("subject").asText();
            ids.add(event.path("type").asText().equals("BuildStarted") ? "build-" + subject.substring(0, Math.min(16, subject.length())) : subject);
        }
        return ids;
    }

    private static boolean isOurs(Set<String> ours, String name) {
        if (ours.contains(name)) {
            return true;
        }
        int dash = name.indexOf('-', "build-".length());
        return name.startsWith("build-") && dash > 0 && ours.contains(name.substring(0, dash));
    }

    /** Container id → status as the projection answers it. */
    Map<String, String> containers() throws IOException {
        Map<String, String> states = new LinkedHashMap<>();
        for (JsonNode c : JSON.readTree(UnixHttp.get(socket, "/containers/json?all=1").body())) {
            states.put(c.path("Id").asText(), c.path("State").asText());
        }
        return states;
    }

    List<String> leftovers() throws IOException, InterruptedException {
        Map<String, String> containers = containers();
        Set<String> running = new HashSet<>();
        containers.forEach((id, state) -> {
            if (RUNNING.contains(state)) {
                running.add(id);
            }
        });
        Set<String> ours = ours();
        List<String> out = new ArrayList<>();

        Path snapshots = storeData().resolve("snapshots");
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] fields = line.split(" ");
            if (fields.length > 2 && fields[1].startsWith(snapshots + "/")) {
                String key = Path.of(fields[1]).getParent().getFileName().toString();
                if (!running.contains(key)) {
                    out.add("mount " + fields[1] + " (" + fields[2] + ") is owned by no running container ("
                            + containers.getOrDefault(key, "unknown") + ")");
                }
            }
        }
        if (Files.isDirectory(snapshots)) {
            try (Stream<Path> keys = Files.list(snapshots)) {
                for (Path key : keys.toList()) {
                    String name = key.getFileName().toString();
                    if (!containers.containsKey(name)) {
                        out.add("snapshot " + key + " is owned by no container");
                    }
                }
            }
        }
        try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path controller : controllers.toList()) {
                Path berth = controller.resolve("berth");
                if (!Files.isDirectory(berth)) {
                    continue;
                }
                try (Stream<Path> groups = Files.list(berth)) {
                    for (Path group : groups.filter(Files::isDirectory).toList()) {
                        String name = group.getFileName().toString();
                        if (isOurs(ours, name) && !running.contains(name)) {
                            out.add("cgroup " + group + " is owned by no running container (" + containers.getOrDefault(name, "unknown") + ")");
                        }
                    }
                }
            }
        }
        Map<String, String> runc = runcList();
        runc.forEach((id, status) -> {
            if (!running.contains(id)) {
                out.add("runc container " + id + " (" + status + ") under " + runcRoot() + " is owned by no running container ("
                        + containers.getOrDefault(id, "unknown") + ")");
            }
        });
        for (String id : running) {
            if (!"running".equals(runc.get(id)) && !"paused".equals(runc.get(id))) {
                out.add("container " + id + " is running in the projection but runc says " + runc.getOrDefault(id, "nothing"));
            }
        }
        for (Map.Entry<Long, String> conmon : conmons().entrySet()) {
            if (!running.contains(conmon.getValue())) {
                out.add("conmon pid " + conmon.getKey() + " for " + conmon.getValue() + " is owned by no running container ("
                        + containers.getOrDefault(conmon.getValue(), "unknown") + ")");
            }
        }
        return out;
    }

    /** {@code runc --root <berth's runc root> list}: id → status. */
    Map<String, String> runcList() throws IOException, InterruptedException {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.isDirectory(runcRoot())) {
            return out;
        }
        Process p = new ProcessBuilder("runc", "--root", runcRoot().toString(), "list", "--format", "json")
                .redirectErrorStream(true).start();
        byte[] bytes = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("runc list failed: " + new String(bytes, StandardCharsets.UTF_8));
        }
        JsonNode list = JSON.readTree(bytes);
        for (JsonNode c : list) {
            out.put(c.path("id").asText(), c.path("status").asText());
        }
        return out;
    }

    /** conmon processes started for this root: pid → the container id it monitors. */
    Map<Long, String> conmons() {
        Map<Long, String> out = new LinkedHashMap<>();
        ProcessHandle.allProcesses().forEach(p -> {
            try {
                byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
                String[] argv = new String(raw, StandardCharsets.UTF_8).split("\0");
                if (argv.length == 0 || !argv[0].endsWith("conmon")) {
                    return;
                }
                String cmdline = String.join(" ", argv);
                if (!cmdline.contains(root.toString())) {
                    return;
                }
                for (int i = 0; i + 1 < argv.length; i++) {
                    if (argv[i].equals("-c") || argv[i].equals("--cid")) {
                        out.put(p.pid(), argv[i + 1]);
                    }
                }
            } catch (IOException gone) {
                // the process ended meanwhile
            }
        });
        return out;
    }

    static String sha256(String s) {
        return HexFormat.of().formatHex(digest().digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    static String sha256(InputStream in) throws IOException {
        MessageDigest md = digest();
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = in.read(buffer)) > 0) {
            md.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
