package io.berth.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.api.ApiException;
import io.berth.engine.api.ApiExchange;
import io.berth.engine.api.DockerFilters;
import io.berth.engine.api.FilterMatch;
import io.berth.engine.history.TimeTravel;
import io.berth.engine.projection.Projections;
import io.berth.spi.registry.Credentials;
import io.berth.spi.registry.Descriptor;
import io.berth.spi.registry.ImageReference;
import io.berth.spi.registry.Platform;
import io.berth.spi.registry.RegistryException;
import io.berth.spi.registry.ResolvedManifest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Docker's image endpoints: create (pull), list, inspect, history, tag, delete, prune, and {@code /auth}. */
public final class ImageEndpoints {
    private final ImageService images;
    private final ObjectMapper mapper;
    private final ImageJson shapes;

    private TimeTravel history;

    /** Lets list and inspect answer for a past moment ({@code ?at=}). */
    public ImageEndpoints withHistory(TimeTravel history) {
        this.history = history;
        return this;
    }

    public ImageEndpoints(ImageService images, ObjectMapper mapper) {
        this.images = images;
        this.mapper = mapper;
        this.shapes = new ImageJson(images, mapper);
    }

    /** {@code POST /images/create?fromImage=&tag=&platform=}: pulls, streaming Docker's progress messages. */
    public void create(ApiExchange exchange) throws IOException {
        String from = exchange.query("fromImage");
        if (exchange.query("fromSrc") != null) {
            importTar(exchange);
            return;
        }
        if (from == null || from.isBlank()) {
            throw ApiException.badRequest("fromImage is required");
        }
        String tag = exchange.query("tag");
        String reference = from;
        if (tag != null && !tag.isBlank()) {
            reference = tag.startsWith("sha256:") ? from + "@" + tag : from + ":" + tag;
        }
        images.parse(reference); // a bad reference is a 400 before the stream opens
        Credentials credentials = RegistryAuth.fromHeader(exchange.header("X-Registry-Auth"), mapper);
        String platform = exchange.query("platform");
        try (ApiExchange.LineStream out = exchange.stream("application/json")) {
            JsonProgress progress = new JsonProgress(out, mapper);
            try {
                images.pull(reference, platform, credentials, progress, exchange.context());
            } catch (RuntimeException e) {
                progress.error(message(e));
            }
        }
    }

    /**
     * {@code POST /images/create?fromSrc=-&repo=&tag=&changes=&message=&platform=}: {@code docker import}, the
     * request body a filesystem tar (plain, gzip or zstd) that becomes a one-layer image; its id is the stream's
     * one status line, as Docker sends it. A URL as the source is refused: berth downloads images from
     * registries only.
     */
    private void importTar(ApiExchange exchange) throws IOException {
        if (!"-".equals(exchange.query("fromSrc"))) {
            throw ApiException.badRequest("import from a URL (fromSrc=" + exchange.query("fromSrc")
                    + ") is not supported: send the tar as the request body (fromSrc=-)");
        }
        String repo = exchange.query("repo");
        String tag = exchange.query("tag");
        List<String> tags = new java.util.ArrayList<>();
        if (repo != null && !repo.isBlank()) {
            tags.add(repo + (tag == null || tag.isBlank() ? "" : ":" + tag));
            images.parse(tags.getFirst()); // a bad reference is a 400 before the stream opens
        }
        ObjectNode image = mapper.createObjectNode();
        String now = java.time.Instant.now().toString();
        image.put("architecture", Platform.host().architecture());
        image.put("os", "linux");
        image.put("created", now);
        ObjectNode config = image.putObject("config");
        ConfigChanges.apply(config, exchange.queryAll("changes"));
        String message = exchange.query("message");
        if (message != null && !message.isEmpty()) {
            image.put("comment", message);
        }
        ObjectNode history = mapper.createObjectNode();
        history.put("created", now);
        history.put("created_by", "import");
        history.put("comment", message == null || message.isEmpty() ? "Imported from -" : message);
        try (ApiExchange.LineStream out = exchange.stream("application/json")) {
            JsonProgress progress = new JsonProgress(out, mapper);
            try (InputStream body = LayerCompression.uncompressed(null, exchange.body())) {
                var made = new LayerOnTop(images, mapper).make(null, body, image, history, "import", tags, scratch, exchange.context());
                progress.status(null, made.imageId());
            } catch (IOException | RuntimeException e) {
                progress.error(message(e));
            }
        }
    }

    private java.nio.file.Path scratch = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));

    /** Where imports write their temporary layer files (the daemon's {@code <root>/tmp}). */
    public ImageEndpoints withScratch(java.nio.file.Path scratch) {
        this.scratch = scratch;
        return this;
    }

    /**
     * {@code GET /images/search}: 404, as for any path berth does not serve. Docker searches Docker Hub; berth
     * talks to the registries images are pulled from and keeps no index to search.
     */
    public void search(ApiExchange exchange) throws IOException {
        exchange.error(404, "page not found: /images/search (berth has no image index to search; pull by reference)");
    }

    /**
     * {@code GET /distribution/{name}/json}: the registry's descriptor of what the reference names (the index
     * when there is one, else the manifest) and the platform berth would pull, asked of the registry plugin.
     */
    public void distribution(ApiExchange exchange) throws IOException {
        String name = exchange.pathParam(1);
        ImageReference reference = images.parse(name);
        Credentials credentials = RegistryAuth.fromHeader(exchange.header("X-Registry-Auth"), mapper);
        ResolvedManifest resolved;
        try {
            resolved = images.registry().resolve(reference, Platform.host(), credentials);
        } catch (RegistryException e) {
            String text = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw new ApiException(text.contains("not found") || text.contains("unknown") ? 404 : 401, text);
        }
        Descriptor top = resolved.index() != null ? resolved.index() : resolved.manifest();
        ObjectNode answer = mapper.createObjectNode();
        ObjectNode descriptor = answer.putObject("Descriptor");
        descriptor.put("mediaType", top.mediaType());
        descriptor.put("digest", top.digest());
        descriptor.put("size", top.size());
        ArrayNode platforms = answer.putArray("Platforms");
        ObjectNode platform = platforms.addObject();
        platform.put("architecture", resolved.platform().architecture());
        platform.put("os", resolved.platform().os());
        if (resolved.platform().variant() != null && !resolved.platform().variant().isEmpty()) {
            platform.put("variant", resolved.platform().variant());
        }
        exchange.json(200, answer);
    }

    /** {@code POST /images/{name}/push?tag=}: pushes, streaming Docker's progress messages. */
    public void push(ApiExchange exchange) throws IOException {
        String name = exchange.pathParam(1);
        String tag = exchange.query("tag");
        images.parse(tag == null || tag.isBlank() ? name : name + ":" + tag);
        Credentials credentials = RegistryAuth.fromHeader(exchange.header("X-Registry-Auth"), mapper);
        try (ApiExchange.LineStream out = exchange.stream("application/json")) {
            JsonProgress progress = new JsonProgress(out, mapper);
            try {
                images.push(name, tag, credentials, progress, exchange.context());
            } catch (RuntimeException e) {
                progress.error(message(e));
            }
        }
    }

    /** {@code GET /images/get?names=…} and {@code GET /images/{name}/get}: the images as a tar. */
    public void save(ApiExchange exchange) throws IOException {
        List<String> names = exchange.pathParam(0).equals("/images/get") ? exchange.queryAll("names") : List.of(exchange.pathParam(1));
        for (String name : names) {
            images.require(name); // a missing image is a 404 before the tar starts
        }
        try (java.io.OutputStream out = exchange.binary("application/x-tar")) {
            images.save(names, out);
        }
    }

    /** {@code POST /images/load}: loads a docker-archive or OCI layout tar from the body. */
    public void load(ApiExchange exchange, java.nio.file.Path scratch) throws IOException {
        try (ApiExchange.LineStream out = exchange.stream("application/json")) {
            JsonProgress json = new JsonProgress(out, mapper);
            PullProgress progress = new PullProgress() {
                @Override
                public void status(String id, String status) {
                    if (id == null) {
                        json.stream(status + "\n");
                    }
                }

                @Override
                public void progress(String id, String status, long current, long total) {}
            };
            try (InputStream body = exchange.body()) {
                images.load(body, scratch, progress, exchange.context());
            } catch (IOException | RuntimeException e) {
                // the stream is open: a failure is a message in it, as Docker sends it
                json.error(message(e));
            }
        }
    }

    private static String message(Exception e) {
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return text.lines().findFirst().orElse(text);
    }

    /** The filter keys of Docker's image list; only {@code reference} is applied so far, the rest are accepted. */
    private static final java.util.Set<String> LIST_FILTERS = java.util.Set.of("reference", "dangling", "label", "before", "since");

    /** {@code GET /images/json?filters=}: Docker's image summaries, optionally those matching {@code reference}. */
    public void list(ApiExchange exchange) throws IOException {
        Map<String, List<String>> filters = DockerFilters.parse(exchange.query("filters"), mapper,
                LIST_FILTERS, key -> "invalid filter '" + key + "'");
        ReferenceFilter reference;
        try {
            reference = filters.containsKey("reference") ? new ReferenceFilter(filters.get("reference")) : null;
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        ArrayNode list = mapper.createArrayNode();
        Projections view = history == null ? null : history.view(exchange);
        List<ImageService.Image> all = view == null ? images.list() : images.list(view);
        Boolean dangling = FilterMatch.bool(filters, "dangling");
        List<String> labels = filters.getOrDefault("label", List.of());
        Instant before = imageTime(all, filters.get("before"), "before", true);
        Instant since = imageTime(all, filters.get("since"), "since", false);
        for (ImageService.Image image : all) {
            if (dangling != null && dangling != image.repoTags().isEmpty()) {
                continue;
            }
            if (!labels.isEmpty() && !FilterMatch.labelsMatchAll(
                    labelsOf(image), labels)) {
                continue;
            }
            Instant created = createdOf(image);
            if (before != null && !created.isBefore(before) || since != null && !created.isAfter(since)) {
                continue;
            }
            List<String> repoTags = image.repoTags().stream().map(images::familiar).toList();
            List<String> digestRefs = image.repoDigests().stream().map(images::familiar).toList();
            if (reference != null) {
                // As Docker: an image is listed when one of its references matches, with only those shown.
                repoTags = repoTags.stream().filter(reference::matches).toList();
                digestRefs = digestRefs.stream().filter(reference::matches).toList();
                if (repoTags.isEmpty() && digestRefs.isEmpty()) {
                    continue;
                }
            }
            ObjectNode summary = list.addObject();
            summary.put("Id", image.id());
            summary.put("ParentId", "");
            ArrayNode tags = summary.putArray("RepoTags");
            repoTags.forEach(tags::add);
            ArrayNode repoDigests = summary.putArray("RepoDigests");
            digestRefs.forEach(repoDigests::add);
            summary.put("Created", ImageJson.epochSeconds(image.description().created()));
            summary.put("Size", image.description().size());
            summary.put("SharedSize", -1);
            summary.put("VirtualSize", image.description().size());
            JsonNode imageLabels = (view == null ? images.config(image) : images.configIfPresent(image)).path("config").path("Labels");
            summary.set("Labels", imageLabels.isObject() ? imageLabels : mapper.createObjectNode());
            summary.put("Containers", -1);
        }
        exchange.json(200, list);
    }

    private Map<String, String> labelsOf(ImageService.Image image) {
        return labelsOf(images.configIfPresent(image));
    }

    private static Map<String, String> labelsOf(JsonNode config) {
        Map<String, String> labels = new java.util.TreeMap<>();
        config.path("config").path("Labels").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
        return labels;
    }

    private static Instant createdOf(ImageService.Image image) {
        try {
            return OffsetDateTime.parse(image.description().created()).toInstant();
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    /**
     * The creation time of the image a {@code before} or {@code since} filter names (by reference or id), as Docker
     * compares them; with several values the tightest bound.
     */
    private Instant imageTime(List<ImageService.Image> all, List<String> references, String key, boolean earliest) {
        if (references == null || references.isEmpty()) {
            return null;
        }
        Instant bound = null;
        for (String reference : references) {
            ImageService.Image named = images.find(reference).orElseThrow(() ->
                    ApiException.notFound("invalid filter '" + key + "=" + reference + "': No such image: " + reference));
            Instant t = createdOf(named);
            bound = bound == null ? t : earliest ? (t.isBefore(bound) ? t : bound) : (t.isAfter(bound) ? t : bound);
        }
        return bound;
    }

    /** {@code GET /images/{name}/json}: Docker's image inspect. */
    public void inspect(ApiExchange exchange) throws IOException {
        Projections view = history == null ? null : history.view(exchange);
        if (view == null) {
            exchange.json(200, shapes.inspect(images.require(exchange.pathParam(1)), false));
            return;
        }
        exchange.json(200, shapes.inspect(images.require(view, exchange.pathParam(1)), true));
    }

    /** {@code GET /images/{name}/history}: the config's history, newest first, with layer sizes. */
    public void history(ApiExchange exchange) throws IOException {
        exchange.json(200, shapes.history(images.require(exchange.pathParam(1))));
    }

    /** {@code POST /images/{name}/tag?repo=&tag=}. */
    public void tag(ApiExchange exchange) throws IOException {
        String repo = exchange.query("repo");
        if (repo == null || repo.isBlank()) {
            throw ApiException.badRequest("repo is required");
        }
        String tag = exchange.query("tag");
        String target = tag == null || tag.isBlank() ? repo : repo + ":" + tag;
        images.tag(exchange.pathParam(1), target, exchange.context());
        exchange.json(201, Map.of());
    }

    /** {@code DELETE /images/{name}?force=}. */
    public void delete(ApiExchange exchange) throws IOException {
        exchange.json(200, images.remove(exchange.pathParam(1), exchange.queryFlag("force", false), exchange.context()));
    }

    /** {@code POST /images/prune?filters=}: {@code dangling=false} prunes every unused image. */
    public void prune(ApiExchange exchange) throws IOException {
        Map<String, List<String>> filters = DockerFilters.parse(exchange.query("filters"), mapper,
                java.util.Set.of("dangling", "label", "label!", "until"), key -> "invalid filter '" + key + "'");
        Boolean dangling = FilterMatch.bool(filters, "dangling");
        boolean all = dangling != null && !dangling;
        Instant until = FilterMatch.until(filters);
        List<String> labels = filters.getOrDefault("label", List.of());
        List<String> notLabels = filters.getOrDefault("label!", List.of());
        exchange.json(200, images.prune(all, image -> {
            Map<String, String> imageLabels = labelsOf(image);
            return FilterMatch.labelsMatchAll(imageLabels, labels)
                    && !FilterMatch.labelsMatchAny(imageLabels, notLabels)
                    && (until == null || FilterMatch.createdBefore(image.description().created(), until));
        }, exchange.context()));
    }

    /** {@code POST /auth}: checks credentials against a registry ({@code berth login}). */
    public void auth(ApiExchange exchange) throws IOException {
        JsonNode body = mapper.readTree(exchange.bodyBytes());
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the body must be JSON {\"username\",\"password\",\"serveraddress\"}");
        }
        String server = body.path("serveraddress").asText("");
        String registry = normaliseServer(server);
        Credentials credentials = body.path("username").asText("").isEmpty() ? Credentials.anonymous()
                : Credentials.basic(body.path("username").asText(), body.path("password").asText(""));
        try {
            images.registry().authenticate(registry, credentials);
        } catch (RegistryException e) {
            int status = e.reason() == RegistryException.Reason.UNAUTHORIZED || e.reason() == RegistryException.Reason.DENIED ? 401 : 500;
            throw new ApiException(status, e.getMessage());
        }
        exchange.json(200, Map.of("Status", "Login Succeeded", "IdentityToken", ""));
    }

    /** {@code https://index.docker.io/v1/} and friends → {@code docker.io}; {@code host:port} stays. */
    static String normaliseServer(String server) {
        String s = server.strip();
        if (s.isEmpty() || s.contains("index.docker.io") || s.equals("docker.io") || s.equals("registry-1.docker.io")) {
            return "docker.io";
        }
        s = s.replaceFirst("^https?://", "");
        int slash = s.indexOf('/');
        return slash >= 0 ? s.substring(0, slash) : s;
    }
}
