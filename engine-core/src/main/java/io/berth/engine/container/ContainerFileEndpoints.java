package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.engine.api.ApiException;
import io.berth.engine.api.ApiExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/** A container's files and processes: archive (cp), changes (diff), top, commit and export. */
final class ContainerFileEndpoints extends ContainerApiSupport {
    ContainerFileEndpoints(Wiring wiring) {
        super(wiring);
    }

    /** {@code GET|HEAD /containers/{id}/archive?path=}: a tar of the path, with Docker's path-stat header. */
    public void archiveGet(ApiExchange exchange) throws IOException {
        String path = requirePath(exchange);
        String id = exchange.pathParam(1);
        if ("HEAD".equals(exchange.method())) {
            String stat = containers.withView(id, root -> ContainerFiles.pathStat(root, path, mapper));
            exchange.header("X-Docker-Container-Path-Stat", stat);
            exchange.text(200, "");
            return;
        }
        containers.withView(id, root -> {
            exchange.header("X-Docker-Container-Path-Stat", ContainerFiles.pathStat(root, path, mapper));
            try (OutputStream out = exchange.binary("application/x-tar")) {
                ContainerFiles.copyOut(root, path, out);
            }
            return null;
        });
    }

    /** {@code PUT /containers/{id}/archive?path=}: extracts the tar body into the directory {@code path}. */
    public void archivePut(ApiExchange exchange) throws IOException {
        String path = requirePath(exchange);
        String id = exchange.pathParam(1);
        containers.withView(id, root -> {
            try (var body = exchange.body()) {
                try {
                    containers.checkCopyTarget(id, ContainerPaths.resolve(root, path));
                    ContainerFiles.copyIn(root, path, body);
                } catch (IOException | RuntimeException e) {
                    // a refusal is answered after a bounded part of what the client is still sending is read,
                    // so the client hears the answer instead of a broken pipe
                    drain(body, REFUSED_BODY_READ);
                    throw e;
                }
                // the tar reader stops at the end-of-archive blocks; the client may still be sending the record's
                // padding, and answering before it is read lets Jetty close the connection under the client (EPIPE)
                body.transferTo(OutputStream.nullOutputStream());
            }
            return null;
        });
        exchange.text(200, "");
    }

    /** How much of a refused copy's body is read before the refusal is answered. */
    private static final long REFUSED_BODY_READ = 16L << 20;

    private static void drain(java.io.InputStream body, long limit) {
        try {
            byte[] buffer = new byte[64 * 1024];
            long read = 0;
            int n;
            while (read < limit && (n = body.read(buffer, 0, (int) Math.min(buffer.length, limit - read))) > 0) {
                read += n;
            }
        } catch (IOException ignored) {
            // the client stopped sending: the answer goes out anyway
        }
    }

    private static String requirePath(ApiExchange exchange) {
        String path = exchange.query("path");
        if (path == null || path.isBlank()) {
            throw ApiException.badRequest("path is required");
        }
        return path.startsWith("/") ? path : "/" + path;
    }

    /** {@code GET /containers/{id}/changes}. */
    public void changes(ApiExchange exchange) throws IOException {
        exchange.json(200, containers.changes(exchange.pathParam(1)));
    }

    /** {@code GET /containers/{id}/top?ps_args=}. */
    public void top(ApiExchange exchange) throws IOException {
        ContainerState.ContainerRecord container = containers.require(exchange.pathParam(1));
        if (!container.running()) {
            throw new ApiException(409, "Container " + container.id() + " is not running");
        }
        exchange.json(200, ContainerFiles.top(resources().processes(container.id()), exchange.query("ps_args")));
    }

    /**
     * {@code POST /commit?container=&repo=&tag=&comment=&author=&pause=&changes=}, the body a {@code Config} to
     * merge (optional): 201 with the new image's id.
     */
    public void commit(ApiExchange exchange) throws IOException {
        String container = exchange.query("container");
        if (container == null || container.isBlank()) {
            throw ApiException.badRequest("container is required");
        }
        JsonNode config = body(exchange);
        String id = commits().commit(new ContainerCommit.Request(container, exchange.query("repo"), exchange.query("tag"),
                exchange.query("comment"), exchange.query("author"), exchange.queryFlag("pause", true),
                exchange.queryAll("changes"), config), exchange.context());
        exchange.json(201, Map.of("Id", id));
    }

    /** {@code GET /containers/{id}/export}: the container's filesystem as one tar. */
    public void export(ApiExchange exchange) throws IOException {
        String id = containers.require(exchange.pathParam(1)).id();
        containers.withView(id, root -> {
            try (OutputStream out = exchange.binary("application/x-tar")) {
                ContainerFiles.exportTree(root, out);
            }
            return null;
        });
    }
}
