package io.berth.engine.image;

import io.berth.spi.registry.ImageReference;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/** How a name denotes an image, as Docker resolves it: a full id, a tag or digest reference, or a unique id prefix. */
final class ImageNames {
    private static final Pattern FULL_ID = Pattern.compile("(sha256:)?[0-9a-f]{64}");
    private static final Pattern ID_PREFIX = Pattern.compile("(sha256:)?[0-9a-f]{1,63}");

    private ImageNames() { }

    /**
     * The image {@code nameOrId} denotes in {@code state}: a full id first, then a reference ({@code busybox},
     * {@code busybox:1}, {@code busybox@sha256:…}, as {@code parse} reads it; any failure there means "not a reference"),
     * then an id prefix naming one image.
     */
    static Optional<ImageState.ImageEntry> find(ImageState state, String nameOrId, Function<String, ImageReference> parse) {
        String name = nameOrId.strip();
        if (FULL_ID.matcher(name).matches()) {
            ImageState.ImageEntry entry = state.images.get(name.startsWith("sha256:") ? name : "sha256:" + name);
            if (entry != null) {
                return Optional.of(entry);
            }
        }
        ImageReference ref = null;
        try {
            ref = parse.apply(name);
        } catch (RuntimeException e) {
            // not a reference: maybe an id prefix
        }
        if (ref != null) {
            if (ref.digest() != null) {
                String repoDigest = ref.name() + "@" + ref.digest();
                for (ImageState.ImageEntry entry : state.images.values()) {
                    if (entry.repoDigests.contains(repoDigest) || entry.image.manifestDigest().equals(ref.digest())) {
                        return Optional.of(entry);
                    }
                }
            } else {
                String id = state.tags.get(ref.toString());
                if (id != null && state.images.containsKey(id)) {
                    return Optional.of(state.images.get(id));
                }
            }
        }
        if (ID_PREFIX.matcher(name).matches()) {
            String prefix = name.startsWith("sha256:") ? name : "sha256:" + name;
            List<ImageState.ImageEntry> matches = state.images.values().stream()
                    .filter(e -> e.image.imageId().startsWith(prefix)).toList();
            if (matches.size() == 1) {
                return Optional.of(matches.getFirst());
            }
        }
        return Optional.empty();
    }
}
