package io.berth.engine.image;

import io.berth.eventlog.events.ImageDescription;
import java.util.TreeMap;
import java.util.TreeSet;

/** What the log says about images: each image with its tags and repository digests, and the unpacked layers. */
public final class ImageState {
    /** Image id → image. */
    public TreeMap<String, ImageEntry> images = new TreeMap<>();
    /** Full tag reference ({@code docker.io/library/busybox:latest}) → image id. */
    public TreeMap<String, String> tags = new TreeMap<>();
    /** Chain id → diff id of every layer the storage driver holds. */
    public TreeMap<String, String> layers = new TreeMap<>();

    /** One image. */
    public static final class ImageEntry {
        public ImageDescription image;
        /** Full tag references naming it. */
        public TreeSet<String> repoTags = new TreeSet<>();
        /** {@code repository@digest} for each registry it came from. */
        public TreeSet<String> repoDigests = new TreeSet<>();
        /** When it first arrived here (event time, RFC 3339). */
        public String addedAt;
        /** When a tag was last put on it. */
        public String lastTagTime;
    }
}
