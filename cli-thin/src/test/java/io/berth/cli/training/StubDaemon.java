package io.berth.cli.training;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in daemon that answers the CLI's requests with fixed, API-shaped answers on a Unix socket.
 *
 * <p>It exists for jobs that must not need the real daemon: training the CLI's AOT cache at build time
 * (the launcher runs it as a process of its own for {@link AotTraining}, with {@code BERTH_AOT_STUB} naming
 * these test classes), measuring the CLI's start-up on its own
 * ({@code java -cp cli-thin/target/test-classes io.berth.cli.training.StubDaemon /tmp/stub.sock}, see
 * docs/PERFORMANCE.md), and the auto-start tests. It is test code, never installed: no answer of it is a
 * test of behaviour, which tests check against their own servers or the real daemon.
 */
public final class StubDaemon implements AutoCloseable {
    static final String VERSION = """
            {"Platform":{"Name":"berth"},"Components":[{"Name":"Engine","Version":"0.0.0-stub",\
            "Details":{"ApiVersion":"1.43"}}],"Version":"0.0.0-stub","ApiVersion":"1.43","MinAPIVersion":"1.24",\
            "GitCommit":"stub","GoVersion":"25","Os":"linux","Arch":"amd64","KernelVersion":"6.1.0","BuildTime":""}""";
    static final String VOLUMES = """
            {"Volumes":[{"Name":"data","Driver":"local","Mountpoint":"/var/lib/berth/volumes/data/_data",\
            "CreatedAt":"2026-01-01T00:00:00Z","Labels":{},"Scope":"local","Options":{}}],"Warnings":[]}""";
    static final String NETWORKS = """
            [{"Name":"bridge","Id":"5e6d1b3c0a9f","Created":"2026-01-01T00:00:00Z","Scope":"local","Driver":"bridge",\
            "EnableIPv6":false,"IPAM":{"Driver":"default","Config":[{"Subnet":"10.88.0.0/16","Gateway":"10.88.0.1"}]},\
            "Internal":false,"Attachable":false,"Ingress":false,"Containers":{},"Options":{},"Labels":{}}]""";
    static final String INFO = """
            {"ID":"stub","Containers":0,"ContainersRunning":0,"ContainersPaused":0,"ContainersStopped":0,\
            "Images":0,"Driver":"overlayfs","DockerRootDir":"/var/lib/berth","Name":"stub","OperatingSystem":"Linux",\
            "OSType":"linux","Architecture":"x86_64","NCPU":2,"MemTotal":8227332096,"KernelVersion":"6.1.0",\
            "ServerVersion":"0.0.0-stub","Berth":{"HostId":"stub","EventLog":{"Path":"/var/lib/berth/events",\
            "LastSequence":2,"DroppedOnOpen":0},"Plugins":[{"Id":"runtime-runc","Version":"0.1.0","State":"STARTED"}],\
            "Socket":"/run/berth/berth.sock","PidFile":"/run/berth/berth.pid"}}""";
    static final String PLUGINS = """
            [{"Id":"runtime-runc","Version":"0.1.0","State":"STARTED","Path":"plugins/runtime-runc.jar",\
            "Provider":"berth","Requires":"*","Extensions":["io.berth.spi.ContainerRuntime=io.berth.runc.RuncRuntime"],\
            "Error":null},{"Id":"broken","Version":"0.0.1","State":"FAILED","Path":"plugins/broken.jar",\
            "Provider":"x","Requires":"*","Extensions":[],"Error":"class not found: x.Y"}]""";
    static final String REPLAY = """
            {"Equal":true,"EventsReplayed":2,"LastSequence":2,"DurationMillis":1,\
            "Projections":[{"Name":"containers","Equal":true,"Differences":[]}]}""";
    static final String EVENTS = """
            {"schemaVersion":1,"sequence":1,"time":"2026-11-28T10:24:10.123456789Z","type":"DaemonStarted",\
            "subject":"berthd","actor":{"uid":0,"user":"root","pid":4242,"client":"berthd"},"correlationId":"c1",\
            "hostId":"h","payload":{"version":"0.0.0-stub","root":"/var/lib/berth"}}
            {"schemaVersion":1,"sequence":2,"time":"2026-11-28T10:24:10.223456789Z","type":"PluginLoaded",\
            "subject":"runtime-runc","actor":{"uid":0,"user":"root","pid":4242,"client":"berthd"},"correlationId":"c1",\
            "hostId":"h","payload":{"pluginId":"runtime-runc","version":"0.1.0","extensions":["a=b"]}}
            """;

    static final String IMAGES = """
            [{"Id":"sha256:2ba05935e10f1a2ae0d7dd2bc82f6b52e52f09ebd55db764bd0610e5e7bb723e","ParentId":"",\
            "RepoTags":["127.0.0.1:5000/busybox:1","busybox:latest"],\
            "RepoDigests":["127.0.0.1:5000/busybox@sha256:7c13d8aa7155c114a17c8114ca3480d9b8c8620e7798275760e383e6ca365d1c"],\
            "Created":1795046400,"Size":1213440,"SharedSize":-1,"VirtualSize":1213440,"Labels":{},"Containers":-1},\
            {"Id":"sha256:ead6975b20d1ee43bc2d35d8a7c8941468a2fb68fd51596de2b388768a35ac6b","ParentId":"","RepoTags":[],\
            "RepoDigests":[],"Created":1795000000,"Size":4264000,"SharedSize":-1,"VirtualSize":4264000,"Labels":null,\
            "Containers":-1}]""";
    static final String IMAGE = """
            {"Id":"sha256:2ba05935e10f1a2ae0d7dd2bc82f6b52e52f09ebd55db764bd0610e5e7bb723e","RepoTags":["busybox:latest"],\
            "RepoDigests":[],"Parent":"","Comment":"","Created":"2026-11-01T00:00:00Z","Config":{"Env":["PATH=/bin"],\
            "Cmd":["sh"]},"Architecture":"amd64","Os":"linux","Size":1213440,"RootFS":{"Type":"layers","Layers":[]}}""";
    static final String HISTORY = """
            [{"Id":"sha256:2ba05935e10f1a2ae0d7dd2bc82f6b52e52f09ebd55db764bd0610e5e7bb723e","Created":1795046400,\
            "CreatedBy":"ADD busybox /bin/busybox # a long created-by text for truncation","Tags":["busybox:latest"],\
            "Size":1213440,"Comment":""}]""";
    static final String BUILD = """
            {"aux":{"BuildID":"6f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c"}}
            {"stream":"Step 1/2 : FROM busybox\\n"}
            {"stream":" ---> 7c13d8aa7155\\n"}
            {"stream":"Step 2/2 : COPY files/ /app/\\n"}
            {"stream":" ---> Using cache\\n"}
            {"stream":"Successfully built 2ba05935e10f\\n"}
            {"aux":{"ID":"sha256:2ba05935e10f1a2ae0d7dd2bc82f6b52e52f09ebd55db764bd0610e5e7bb723e"}}
            """;

    static final String PULL = """
            {"status":"Pulling from library/busybox","id":"latest"}
            {"status":"Pulling fs layer","id":"7c13d8aa7155"}
            {"status":"Downloading","progressDetail":{"current":512,"total":1024},"progress":"[=>  ]","id":"7c13d8aa7155"}
            {"status":"Pull complete","id":"7c13d8aa7155"}
            {"status":"Digest: sha256:2ba05935e10f1a2ae0d7dd2bc82f6b52e52f09ebd55db764bd0610e5e7bb723e"}
            {"status":"Status: Downloaded newer image for busybox:latest"}
            """;

    static final String CONTAINERS = """
            [{"Id":"7b5bcd100e730c4bc876c296b4a1f86b9fa7fe01cf0dfa879580d89430c9729c","Names":["/web"],\
            "Image":"busybox:latest","ImageID":"sha256:2ba05935e10f1a2ae0d7dd2bc82f6b52e52f09ebd55db764bd0610e5e7bb723e",\
            "Command":"httpd -f -p 127.0.0.1:8080","Created":1795046400,"Ports":[],"Labels":{"a":"b"},"State":"running",\
            "Status":"Up 5 seconds","HostConfig":{"NetworkMode":"host"},"Mounts":[]},\
            {"Id":"53c6e0894d459fd7d5bb8e808b1542e807d8fe8ba13f84d6a06341d7d29f9fe3","Names":["/x"],"Image":"busybox",\
            "ImageID":"sha256:2b","Command":"sh -c 'exit 3'","Created":1795046300,"Ports":[],"Labels":{},\
            "State":"exited","Status":"Exited (3) 2 minutes ago","HostConfig":{"NetworkMode":"none"},"Mounts":[]}]""";

    static final String CONTAINER_ID = "9f2c1e7a3b4d5c6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6";

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;

    /** Binds {@code socket} (replacing a stale file) and starts answering. */
    public StubDaemon(Path socket) throws IOException {
        this.socket = socket;
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        // Threads from named Runnable classes, and no streams or lambdas anywhere in the training code: the
        // training run puts every class it loads into the AOT cache, and the JVM loads all of them at start.
        acceptor = new Thread(new AcceptLoop(), "stub-daemon");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Runs a stub daemon on the socket given as the only argument until killed. */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: StubDaemon SOCKET");
            System.exit(2);
        }
        try (StubDaemon d = new StubDaemon(Path.of(args[0]))) {
            System.err.println("stub daemon on unix://" + d.socket);
            d.acceptor.join();
        }
    }

    private final class AcceptLoop implements Runnable {
        @Override
        public void run() {
            acceptLoop();
        }
    }

    private static final class Serve implements Runnable {
        private final SocketChannel channel;

        Serve(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void run() {
            serve(channel);
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                Thread t = new Thread(new Serve(c), "stub-request");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void serve(SocketChannel c) {
        try (c) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(c));
            String requestLine = line(in);
            if (requestLine == null) {
                return;
            }
            long contentLength = 0;
            String h;
            while ((h = line(in)) != null && !h.isEmpty()) {
                if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
                    contentLength = Long.parseLong(h.substring(15).trim());
                }
            }
            in.skipNBytes(contentLength);
            int sp1 = requestLine.indexOf(' ');
            int sp2 = requestLine.indexOf(' ', sp1 + 1);
            String method = sp1 < 0 ? requestLine : requestLine.substring(0, sp1);
            String target = sp1 < 0 ? "/" : sp2 < 0 ? requestLine.substring(sp1 + 1) : requestLine.substring(sp1 + 1, sp2);
            String path = target;
            if (path.startsWith("/v1.")) {
                int slash = path.indexOf('/', 1);
                path = slash < 0 ? "/" : path.substring(slash);
            }
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            OutputStream out = Channels.newOutputStream(c);
            if (path.startsWith("/images/")) {
                images(out, method, path);
                return;
            }
            if (path.startsWith("/containers/") && !path.equals("/containers/json")) {
                container(out, method, path);
                return;
            }
            switch (path) {
                case "/_ping" -> respond(out, 200, "text/plain", method.equals("HEAD") ? "" : "OK");
                case "/version" -> respond(out, 200, "application/json", VERSION);
                case "/info" -> respond(out, 200, "application/json", INFO);
                case "/berth/plugins" -> respond(out, 200, "application/json", PLUGINS);
                case "/berth/system/replay" -> respond(out, 200, "application/json", REPLAY);
                case "/berth/events" -> chunked(out, EVENTS);
                case "/build" -> chunked(out, BUILD);
                case "/containers/json" -> respond(out, 200, "application/json", CONTAINERS);
                case "/volumes" -> respond(out, 200, "application/json", VOLUMES);
                case "/networks" -> respond(out, 200, "application/json", NETWORKS);
                default -> respond(out, 404, "application/json", "{\"message\":\"page not found: " + path + "\"}");
            }
        } catch (IOException | RuntimeException e) {
            // the client hung up; nothing to do
        }
    }

    private static void images(OutputStream out, String method, String path) throws IOException {
        if (path.equals("/images/json")) {
            respond(out, 200, "application/json", IMAGES);
        } else if (path.equals("/images/create") || path.endsWith("/push")) {
            chunked(out, PULL);
        } else if (path.startsWith("/images/nosuch")) {
            respond(out, 404, "application/json", "{\"message\":\"No such image: nosuch\"}");
        } else if (path.endsWith("/history")) {
            respond(out, 200, "application/json", HISTORY);
        } else if (method.equals("DELETE")) {
            respond(out, 200, "application/json", "[{\"Untagged\":\"busybox:latest\"},{\"Deleted\":\"sha256:2b\"}]");
        } else if (path.endsWith("/tag")) {
            respond(out, 201, "application/json", "{}");
        } else {
            respond(out, 200, "application/json", IMAGE);
        }
    }

    /** What {@code run --rm} asks, in its order: create, start, logs (followed), wait, delete. */
    private static void container(OutputStream out, String method, String path) throws IOException {
        if (path.equals("/containers/create")) {
            respond(out, 201, "application/json", "{\"Id\":\"" + CONTAINER_ID + "\",\"Warnings\":[]}");
        } else if (path.endsWith("/start") || method.equals("DELETE")) {
            respond(out, 204, "application/json", "");
        } else if (path.endsWith("/logs")) {
            multiplexed(out);
        } else if (path.endsWith("/wait")) {
            respond(out, 200, "application/json", "{\"StatusCode\":0,\"Error\":null}");
        } else {
            respond(out, 404, "application/json", "{\"message\":\"No such container: " + path + "\"}");
        }
    }

    /** One line on stdout and one on stderr in Docker's multiplexed frames, chunked, as the daemon streams a log. */
    private static void multiplexed(OutputStream out) throws IOException {
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] frames = new byte[2 * 8 + 8];
        for (int f = 0; f < 2; f++) {
            int at = f * 12;
            frames[at] = (byte) (f + 1);
            frames[at + 7] = 4;
            frames[at + 8] = 'l';
            frames[at + 9] = 'o';
            frames[at + 10] = 'g';
            frames[at + 11] = '\n';
        }
        out.write((Integer.toHexString(frames.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(frames);
        out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void respond(OutputStream out, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + (status == 200 ? " OK" : status == 201 ? " Created" : status == 204 ? " No Content" : " Not Found") + "\r\nContent-Type: " + type
                + "\r\nApi-Version: 1.43\r\nServer: berth/stub\r\nContent-Length: " + b.length
                + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
    }

    private static void chunked(OutputStream out, String lines) throws IOException {
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        int start = 0;
        while (start < lines.length()) {
            int nl = lines.indexOf('\n', start);
            String l = nl < 0 ? lines.substring(start) : lines.substring(start, nl);
            start = nl < 0 ? lines.length() : nl + 1;
            byte[] b = (l + "\n").getBytes(StandardCharsets.UTF_8);
            out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return b == -1 && sb.isEmpty() ? null : sb.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
