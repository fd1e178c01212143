package io.berth.spi.tck;

import io.berth.spi.fs.MountTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads the mount table, so that checks can insist a driver left no mount behind, and removes
 * leftovers so that a failed check still cleans up its temporary directory.
 */
public final class Mounts {

    private Mounts() {
    }

    /**
     * The mount points at or under a directory, deepest first, from {@code /proc/self/mountinfo}.
     *
     * @param directory a directory
     * @return the mount points under it
     */
    public static List<Path> under(Path directory) {
        return MountTable.under(directory);
    }

    /**
     * Detaches every mount under a directory ({@code umount -l}), deepest first.
     *
     * @param directory a directory
     * @return the mount points that were there
     */
    public static List<Path> detachAll(Path directory) {
        List<Path> mounts = under(directory);
        for (Path mountPoint : mounts) {
            try {
                Process p = new ProcessBuilder("umount", "-l", mountPoint.toString()).inheritIO().start();
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run umount -l " + mountPoint, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return mounts;
            }
        }
        return mounts;
    }
}
