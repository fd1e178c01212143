package io.berth.engine.container;

import io.berth.engine.api.Hijack;
import com.fasterxml.jackson.databind.JsonNode;
import io.berth.engine.api.ApiExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/** Docker's exec endpoints: create, start (plain, or hijacked for stdin), resize and inspect. */
final class ExecEndpoints extends ContainerApiSupport {
    ExecEndpoints(Wiring wiring) {
        super(wiring);
    }

    public void execCreate(ApiExchange exchange) throws IOException {
        String id = execs().create(exchange.pathParam(1), body(exchange));
        exchange.json(201, Map.of("Id", id));
    }

    /**
     * {@code POST /exec/{id}/start}: with a JSON body ({@code Detach}, {@code Tty}) as Docker; or,
     * with {@code ?stream=1}, a full-duplex exchange: the request body, read as it arrives, is the
     * process's stdin (for an exec created with {@code AttachStdin}) while the response streams its
     * output (raw if the exec was created with {@code Tty}, frames otherwise).
     */
    public void execStart(ApiExchange exchange) throws IOException {
        if (exchange.queryFlag("stream", false)) {
            String execId = exchange.pathParam(1);
            boolean tty = execs().tty(execId);
            var stdin = exchange.body();
            try (OutputStream out = exchange.binary(tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream")) {
                out.flush();
                execs().start(execId, false, stdin, out, exchange.context());
            }
            return;
        }
        JsonNode body = body(exchange);
        boolean detach = body.path("Detach").asBoolean(false);
        boolean tty = body.path("Tty").asBoolean(false);
        if (detach) {
            String execId = exchange.pathParam(1);
            var context = exchange.context();
            Thread.ofVirtual().start(() -> {
                try {
                    execs().start(execId, true, null, context);
                } catch (IOException | RuntimeException e) {
                    // a detached exec's failure shows in its inspect output and its ExecExited event
                }
            });
            exchange.text(200, "");
            return;
        }
        try (OutputStream out = exchange.binary(tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream")) {
            execs().start(exchange.pathParam(1), false, out, exchange.context());
        }
    }

    /**
     * Exec start as Docker's clients do it: {@code POST /exec/{id}/start} with its JSON body, upgraded
     * to a raw connection (101) that carries the process's stdin in and its output out. A detached
     * start is left to {@link #execStart}.
     */
    public Hijack execStartHijack() {
        return new Hijack() {
            @Override
            public String mediaType(Request request) {
                try {
                    return streamType(execs().tty(request.pathParam(1)));
                } catch (ContainerException e) {
                    return null;
                }
            }

            @Override
            public void run(Request request, java.io.InputStream in, OutputStream out) throws Exception {
                String text = request.bodyText();
                JsonNode body = text.isBlank() ? mapper.createObjectNode() : mapper.readTree(text);
                if (body.path("Detach").asBoolean(false)) {
                    execs().start(request.pathParam(1), true, null, request.context());
                    return;
                }
                execs().start(request.pathParam(1), false, in, out, request.context());
            }
        };
    }

    /** {@code POST /exec/{id}/resize?h=&w=}: the terminal size of a running exec. */
    public void execResize(ApiExchange exchange) throws IOException {
        int rows = parseInt("h", exchange.query("h") == null ? "24" : exchange.query("h"));
        int columns = parseInt("w", exchange.query("w") == null ? "80" : exchange.query("w"));
        execs().resize(exchange.pathParam(1), rows, columns);
        exchange.text(200, "");
    }

    public void execInspect(ApiExchange exchange) throws IOException {
        exchange.json(200, execs().inspect(exchange.pathParam(1)));
    }
}
