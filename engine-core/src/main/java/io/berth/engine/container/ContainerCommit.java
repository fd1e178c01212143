package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.image.ConfigChanges;
import io.berth.engine.image.ImageService;
import io.berth.engine.image.LayerOnTop;
import io.berth.engine.journal.RequestContext;
import io.berth.eventlog.events.ImageDescription;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code docker commit}: a container's writable layer (the storage driver's diff of its snapshot) becomes one
 * more layer on its image, with the container's config, the request's config and {@code --change}s, author and
 * comment. With {@code pause} (the default) a running container is frozen while its layer is read, so the layer
 * is one consistent moment; it is thawed afterwards without events (Docker does the same, quietly).
 *
 * @param containers the containers, for the one committed and its writable layer
 * @param images     where the new image is stored
 * @param mapper     the JSON mapper of image configs
 * @param scratch    where the layer tar is written before it is stored
 */
public record ContainerCommit(ContainerService containers, ImageService images, ObjectMapper mapper, Path scratch) {
    /** Config fields a commit carries over from the container (Docker's merge of the container's config). */
    private static final List<String> CARRIED = List.of("User", "ExposedPorts", "Env", "Cmd", "Healthcheck", "Entrypoint",
            "Volumes", "WorkingDir", "Labels", "OnBuild", "StopSignal", "Shell", "ArgsEscaped");


    /** What {@code POST /commit} asks for. */
    public record Request(String container, String repo, String tag, String comment, String author, boolean pause,
                          List<String> changes, JsonNode config) {
    }

    /** @return the new image's id */
    public String commit(Request request, RequestContext context) throws IOException {
        ContainerState.ContainerRecord container = containers.require(request.container());
        ImageService.Image parent = images.find(container.imageId()).orElseThrow(() ->
                ContainerException.notFound("No such image: " + container.imageId() + " (the image of container " + container.name() + ")"));
        List<String> tags = new ArrayList<>();
        if (request.repo() != null && !request.repo().isBlank()) {
            String tag = request.tag() == null || request.tag().isBlank() ? "latest" : request.tag();
            tags.add(request.repo() + ":" + tag);
        }
        ObjectNode image = (ObjectNode) images.config(parent).deepCopy();
        ObjectNode config = image.has("config") && image.get("config").isObject() ? (ObjectNode) image.get("config") : image.putObject("config");
        JsonNode stored = containers.config(container).path("Config");
        for (String field : CARRIED) {
            JsonNode value = stored.get(field);
            if (value != null && !value.isNull()) {
                config.set(field, value);
            }
        }
        if (request.config() != null && request.config().isObject()) {
            request.config().fields().forEachRemaining(f -> {
                JsonNode v = f.getValue();
                boolean empty = v.isNull() || v.isContainerNode() && v.isEmpty() || v.isTextual() && v.asText().isEmpty();
                if (!empty) {
                    config.set(f.getKey(), v);
                }
            });
        }
        ConfigChanges.apply(config, request.changes());
        String now = Instant.now().toString();
        image.put("created", now);
        image.put("container", container.id());
        if (request.author() != null && !request.author().isEmpty()) {
            image.put("author", request.author());
        } else {
            image.remove("author");
        }
        if (request.comment() != null && !request.comment().isEmpty()) {
            image.put("comment", request.comment());
        }
        ObjectNode history = mapper.createObjectNode();
        history.put("created", now);
        history.put("created_by", String.join(" ", ContainerConfigs.args(stored)));
        if (request.author() != null && !request.author().isEmpty()) {
            history.put("author", request.author());
        }
        if (request.comment() != null && !request.comment().isEmpty()) {
            history.put("comment", request.comment());
        }
        boolean freeze = request.pause() && container.running() && !container.paused();
        if (freeze) {
            try {
                containers.runtime().pause(container.id());
            } catch (ContainerRuntimeException e) {
                freeze = false; // it ended meanwhile: its layer is still there to read
            }
        }
        try {
            ImageDescription made = new LayerOnTop(images, mapper).make(parent, diff(container.id()), image, history, "commit",
                    tags, scratch, context);
            return made.imageId();
        } finally {
            if (freeze) {
                try {
                    containers.runtime().resume(container.id());
                } catch (ContainerRuntimeException e) {
                    System.getLogger("berth.containers").log(System.Logger.Level.WARNING,
                            "container " + container.id() + " stayed paused after a commit: " + e.getMessage());
                }
            }
        }
    }

    /** The container's writable layer as a tar; an empty archive for one never started (it has none yet). */
    private InputStream diff(String id) throws IOException {
        try {
            if (containers.storage().snapshot(id).isEmpty()) {
                return new java.io.ByteArrayInputStream(new byte[1024]); // a tar's end: two zero blocks
            }
        } catch (StorageException e) {
            throw ContainerException.internal("cannot read the writable layer of " + id + ": " + e.getMessage());
        }
        // written whole first: a diff that fails half-way must fail the commit, not make a shorter layer
        java.nio.file.Files.createDirectories(scratch);
        Path file = java.nio.file.Files.createTempFile(scratch, "commit-", ".tar");
        try (OutputStream out = java.nio.file.Files.newOutputStream(file)) {
            containers.storage().diff(id, out);
        } catch (StorageException e) {
            java.nio.file.Files.deleteIfExists(file);
            throw ContainerException.internal("cannot read the writable layer of " + id + ": " + e.getMessage());
        }
        return new java.io.FilterInputStream(java.nio.file.Files.newInputStream(file)) {
            @Override
            public void close() throws IOException {
                super.close();
                java.nio.file.Files.deleteIfExists(file);
            }
        };
    }
}
