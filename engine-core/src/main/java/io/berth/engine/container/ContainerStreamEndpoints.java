package io.berth.engine.container;

import io.berth.engine.api.Hijack;
import io.berth.spi.runtime.StdioStreams;
import io.berth.engine.api.ApiException;
import io.berth.engine.api.ApiExchange;
import io.berth.engine.api.TimeBound;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** A container's streams: its logs, and attach (stdio relayed both ways) with the terminal's resize. */
final class ContainerStreamEndpoints extends ContainerApiSupport {
    ContainerStreamEndpoints(Wiring wiring) {
        super(wiring);
    }

    public void logs(ApiExchange exchange) throws IOException {
        ContainerState.ContainerRecord c = containers.require(exchange.pathParam(1));
        boolean tty = containers.config(c).path("Config").path("Tty").asBoolean(false);
        boolean stdout = exchange.queryFlag("stdout", false);
        boolean stderr = exchange.queryFlag("stderr", false);
        if (!stdout && !stderr) {
            throw ApiException.badRequest("you must choose at least one stream");
        }
        String tailText = exchange.query("tail");
        int tail = tailText == null || tailText.isBlank() || tailText.equals("all") ? -1 : parseInt("tail", tailText);
        TimeBound since = TimeBound.parse("since", exchange.query("since"));
        TimeBound until = TimeBound.parse("until", exchange.query("until"));
        ContainerLogs.Options options = new ContainerLogs.Options(stdout, stderr, exchange.queryFlag("timestamps", false), tail,
                since == null || since.time() == null || since.time().equals(Instant.EPOCH) ? null : since.time(),
                until == null ? null : until.time(), exchange.queryFlag("follow", false), tty);
        String id = c.id();
        try (OutputStream out = exchange.binary(tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream")) {
            Follow follow = new Follow(id);
            ContainerLogs.copy(containers.logPath(id), options, out, follow, follow);
        }
    }

    /**
     * A follow's view of its container: whether it runs, read after noting the exits so far, so that an
     * exit after that look ends the follow's pause at once.
     */
    private final class Follow implements BooleanSupplier, ContainerLogs.Pause {
        private final String id;
        private long seen;

        Follow(String id) {
            this.id = id;
        }

        @Override
        public boolean getAsBoolean() {
            seen = containers.changeCount();
            return containers.find(id).map(x -> x.running()).orElse(false);
        }

        @Override
        public void await(long millis) throws InterruptedException {
            containers.awaitChangeAfter(seen, millis);
        }
    }

    /**
     * {@code POST /containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1}: the container's output
     * as the response (frames, or raw with a terminal) while the request body, read as it arrives,
     * is its stdin (a full-duplex HTTP/1.1 exchange). Attaching to a container that is not running
     * waits for its next start, so a client can attach first and then start, as {@code run} does.
     */
    public void attach(ApiExchange exchange) throws Exception {
        ContainerState.ContainerRecord container = containers.require(exchange.pathParam(1));
        boolean tty = containers.config(container).path("Config").path("Tty").asBoolean(false);
        var pending = containers.attach(container.id());
        try (OutputStream out = exchange.binary(streamType(tty))) {
            out.flush();
            relay(container, tty, pending, exchange.queryFlag("stdin", false), exchange.queryFlag("stdout", false),
                    exchange.queryFlag("stderr", false), exchange.body(), out);
        }
    }

    /**
     * Attach as Docker's clients do it: {@code POST /containers/{id}/attach} upgraded to a raw
     * connection (101), then the socket carries stdin in and the output out, as {@link #attach}'s
     * request and response bodies do.
     */
    public Hijack attachHijack() {
        return new Hijack() {
            @Override
            public String mediaType(Request request) {
                return containers.find(request.pathParam(1))
                        .map(c -> streamType(containers.config(c).path("Config").path("Tty").asBoolean(false)))
                        .orElse(null);
            }

            @Override
            public void run(Request request, java.io.InputStream in, OutputStream out) throws Exception {
                ContainerState.ContainerRecord container = containers.require(request.pathParam(1));
                boolean tty = containers.config(container).path("Config").path("Tty").asBoolean(false);
                var pending = containers.attach(container.id());
                relay(container, tty, pending, request.queryFlag("stdin", false), request.queryFlag("stdout", false),
                        request.queryFlag("stderr", false), in, out);
            }
        };
    }

    /** Copies the client's input to the attached process's stdin and its output to the client until it ends. */
    private void relay(ContainerState.ContainerRecord container, boolean tty,
                       java.util.concurrent.CompletableFuture<StdioStreams> pending,
                       boolean wantStdin, boolean wantStdout, boolean wantStderr, java.io.InputStream body, OutputStream out)
            throws InterruptedException {
        StdioStreams stdio;
        try {
            stdio = pending.get();
        } catch (java.util.concurrent.ExecutionException e) {
            return; // the start failed: the starter answered the start request with why
        }
        containers.attached(container.id(), stdio);
        try (stdio) {
            Thread input = null;
            if (wantStdin) {
                input = Thread.ofVirtual().start(() -> {
                    try (OutputStream stdin = stdio.stdin()) {
                        body.transferTo(stdin);
                    } catch (IOException e) {
                        // the container or the client closed its side
                    }
                });
            }
            Thread errors = Thread.ofVirtual().start(() -> copyFrames(stdio.stderr(), out, tty ? 0 : 2, wantStderr));
            copyFrames(stdio.stdout(), out, tty ? 0 : 1, wantStdout);
            errors.join();
            if (input != null) {
                input.interrupt();
            }
        } finally {
            containers.detached(container.id(), stdio);
        }
    }

    private static void copyFrames(java.io.InputStream in, OutputStream out, int stream, boolean wanted) {
        byte[] buffer = new byte[8192];
        try (in) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (!wanted || read == 0) {
                    continue;
                }
                synchronized (out) {
                    if (stream == 0) {
                        out.write(buffer, 0, read);
                    } else {
                        ContainerLogs.frame(out, stream, java.util.Arrays.copyOf(buffer, read));
                    }
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the container's stream ended or the client went away
        }
    }

    /** {@code POST /containers/{id}/resize?h=&w=}: the terminal size of an attached container. */
    public void resize(ApiExchange exchange) throws IOException {
        ContainerState.ContainerRecord container = containers.require(exchange.pathParam(1));
        int rows = parseInt("h", exchange.query("h") == null ? "24" : exchange.query("h"));
        int columns = parseInt("w", exchange.query("w") == null ? "80" : exchange.query("w"));
        containers.resize(container.id(), rows, columns);
        exchange.text(200, "");
    }
}
