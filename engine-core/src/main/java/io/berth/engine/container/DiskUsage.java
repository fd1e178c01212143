package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.api.ApiExchange;
import io.berth.engine.image.ImageService;
import io.berth.eventlog.events.ImageLayer;
import io.berth.spi.storage.LayerInfo;
import io.berth.spi.storage.StorageException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /system/df?type=}: Docker's disk usage answer ({@code LayersSize}, {@code Images}, {@code Containers},
 * {@code Volumes}, {@code BuildCache}). Layer sizes are the storage driver's; a container's {@code SizeRw} is the
 * bytes in its writable layer (the driver's {@code UpperDir}); a volume's size is the bytes under its data directory.
 * Images' {@code SharedSize} counts the layers another image has too. The build cache is reported empty: berth's
 * cached steps are layers of images or are collected with them (see {@code builder prune}).
 *
 * @param containers the containers and their writable layers
 * @param images     the images and their layers
 * @param volumes    the volumes and their data
 * @param mapper     the JSON mapper of the answer
 */
public record DiskUsage(ContainerService containers, ImageService images, VolumeService volumes, ObjectMapper mapper) {
    public void serve(ApiExchange exchange) throws IOException {
        List<String> types = exchange.queryAll("type");
        for (String type : types) {
            if (!List.of("container", "image", "volume", "build-cache").contains(type)) {
                throw ContainerException.invalid("unknown object type: " + type);
            }
        }
        boolean all = types.isEmpty();
        ObjectNode answer = mapper.createObjectNode();
        List<ContainerState.ContainerRecord> containerList = containers.list();
        Map<String, Long> layerSizes = layerSizes();
        if (all || types.contains("image")) {
            List<ImageService.Image> imageList = images.list();
            Map<String, Integer> layerUse = new HashMap<>();
            for (ImageService.Image image : imageList) {
                image.description().layers().forEach(l -> layerUse.merge(l.chainId(), 1, Integer::sum));
            }
            long total = 0;
            Set<String> counted = new HashSet<>();
            ArrayNode list = answer.putArray("Images");
            for (ImageService.Image image : imageList) {
                long size = 0;
                long shared = 0;
                for (ImageLayer layer : image.description().layers()) {
                    long s = layerSizes.getOrDefault(layer.chainId(), 0L);
                    size += s;
                    if (layerUse.getOrDefault(layer.chainId(), 0) > 1) {
                        shared += s;
                    }
                    if (counted.add(layer.chainId())) {
                        total += s;
                    }
                }
                ObjectNode item = list.addObject();
                item.put("Id", image.id());
                item.put("ParentId", "");
                ArrayNode tags = item.putArray("RepoTags");
                image.repoTags().stream().map(images::familiar).forEach(tags::add);
                ArrayNode digests = item.putArray("RepoDigests");
                image.repoDigests().stream().map(images::familiar).forEach(digests::add);
                item.put("Created", epochSeconds(image.description().created()));
                item.put("Size", size);
                item.put("SharedSize", shared);
                item.put("VirtualSize", size);
                JsonNode labels = images.configIfPresent(image).path("config").path("Labels");
                item.set("Labels", labels.isObject() ? labels : mapper.createObjectNode());
                item.put("Containers", containerList.stream().filter(c -> image.id().equals(c.imageId())).count());
            }
            answer.put("LayersSize", total);
        }
        if (all || types.contains("container")) {
            ArrayNode list = answer.putArray("Containers");
            for (ContainerState.ContainerRecord c : containerList) {
                long rootFs = images.find(c.imageId()).map(i -> i.description().layers().stream()
                        .mapToLong(l -> layerSizes.getOrDefault(l.chainId(), 0L)).sum()).orElse(0L);
                long rw = writableBytes(c.id());
                ObjectNode item = list.addObject();
                item.put("Id", c.id());
                item.putArray("Names").add("/" + c.name());
                item.put("Image", c.image());
                item.put("ImageID", c.imageId());
                item.put("Command", String.join(" ", commandOf(containers.config(c))));
                item.put("Created", Instant.parse(c.created()).getEpochSecond());
                item.putArray("Ports");
                item.put("SizeRw", rw);
                item.put("SizeRootFs", rootFs + rw);
                item.set("Labels", containers.config(c).path("Config").path("Labels"));
                item.put("State", (c.paused() && c.running() ? ContainerStatus.PAUSED : c.status()).text());
                item.put("Status", ContainerEndpoints.statusText(c));
                item.putObject("HostConfig").put("NetworkMode",
                        containers.config(c).path("HostConfig").path("NetworkMode").asText("default"));
                item.putObject("NetworkSettings").putObject("Networks");
                item.set("Mounts", containers.mountsOf(c));
            }
        }
        if (all || types.contains("volume")) {
            ArrayNode list = answer.putArray("Volumes");
            for (ContainerState.VolumeRecord v : volumes.list()) {
                long refs = containerList.stream().filter(c -> usesVolume(c, v.name)).count();
                ObjectNode item = list.addObject();
                item.put("Name", v.name);
                item.put("Driver", v.driver);
                item.put("Mountpoint", v.mountpoint);
                item.put("CreatedAt", v.createdAt);
                item.set("Labels", mapper.valueToTree(v.labels));
                item.put("Scope", "local");
                item.putObject("Options");
                ObjectNode usage = item.putObject("UsageData");
                usage.put("Size", bytesUnder(Path.of(v.mountpoint)));
                usage.put("RefCount", refs);
            }
        }
        if (all || types.contains("build-cache")) {
            answer.putArray("BuildCache");
        }
        exchange.json(200, answer);
    }

    private Map<String, Long> layerSizes() {
        Map<String, Long> sizes = new HashMap<>();
        try {
            for (LayerInfo layer : images.storage().listLayers()) {
                sizes.put(layer.chainId(), layer.size());
            }
        } catch (StorageException e) {
            throw ContainerException.internal("cannot list layers: " + e.getMessage());
        }
        return sizes;
    }

    private long writableBytes(String id) {
        try {
            return containers.storage().snapshot(id).map(s -> s.details().get("UpperDir")).map(Path::of)
                    .map(DiskUsage::bytesUnder).orElse(0L);
        } catch (StorageException e) {
            return 0;
        }
    }

    private boolean usesVolume(ContainerState.ContainerRecord container, String volume) {
        for (JsonNode mount : containers.mountsOf(container)) {
            if (volume.equals(mount.path("Name").asText(""))) {
                return true;
            }
        }
        return false;
    }

    /** Bytes of the regular files under a directory, links not followed; 0 when it is gone. */
    static long bytesUnder(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total[0] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            return total[0];
        }
        return total[0];
    }

    private static List<String> commandOf(JsonNode stored) {
        try {
            return ContainerConfigs.args(stored.path("Config"));
        } catch (ContainerException e) {
            return List.of();
        }
    }

    private static long epochSeconds(String created) {
        try {
            return java.time.OffsetDateTime.parse(created).toEpochSecond();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
