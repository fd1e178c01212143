package io.berth.engine.container;

import io.berth.spi.ContainerRuntime;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.StdioStreams;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Clients waiting to attach to a container that is about to start. Docker's {@code run} attaches
 * before it starts, so no output is lost: the starter calls {@link #connect} between the runtime's
 * create (the monitor and its attach socket exist, the process has not run yet) and start.
 */
final class Attachments {
    private final Map<String, CompletableFuture<StdioStreams>> waiting = new ConcurrentHashMap<>();

    /** Registers a client that wants the container's stdio once it is created. */
    CompletableFuture<StdioStreams> await(String id) {
        return waiting.computeIfAbsent(id, k -> new CompletableFuture<>());
    }

    /** Hands the created container's stdio to a waiting client, if there is one. */
    void connect(String id, ContainerRuntime runtime) {
        CompletableFuture<StdioStreams> client = waiting.remove(id);
        if (client == null) {
            return;
        }
        try {
            client.complete(runtime.attach(id));
        } catch (ContainerRuntimeException | RuntimeException e) {
            client.completeExceptionally(e);
        }
    }

    /** Tells a waiting client that the start failed. */
    void fail(String id, Throwable cause) {
        CompletableFuture<StdioStreams> client = waiting.remove(id);
        if (client != null) {
            client.completeExceptionally(cause);
        }
    }

    void forget(String id, CompletableFuture<StdioStreams> client) {
        waiting.remove(id, client);
    }
}
