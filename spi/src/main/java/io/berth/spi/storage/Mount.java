package io.berth.spi.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A kernel mount a storage driver made, described the way {@code mount(8)} takes it:
 * {@code mount -t <type> -o <options> <source> <target>}.
 *
 * @param target  the mount point (the snapshot's rootfs)
 * @param type    the filesystem type, for example {@code overlay}
 * @param source  the source, for example {@code overlay}
 * @param options the mount options, one per element, for example
 *                {@code lowerdir=…}, {@code upperdir=…}, {@code workdir=…}
 */
public record Mount(Path target, String type, String source, List<String> options) {

    /** Checks for nulls and copies the options. */
    public Mount {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        options = List.copyOf(options);
    }

    /** @return the options joined with commas, as {@code mount -o} takes them */
    public String optionString() {
        return String.join(",", options);
    }
}
