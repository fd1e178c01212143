package io.berth.spi.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
        Path dir = directory.toAbsolutePath().normalize();
        List<Path> found = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] fields = line.split(" ");
                if (fields.length > 4) {
                    Path mountPoint = Path.of(unescape(fields[4]));
                    if (mountPoint.startsWith(dir)) {
                        found.add(mountPoint);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
        found.sort((a, b) -> b.getNameCount() - a.getNameCount());
        return found;
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

    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
