package io.berth.plugin.overlayfs;

import io.berth.spi.Digests;
import io.berth.spi.fs.Sys;
import io.berth.spi.storage.StorageException;
import io.berth.spi.storage.StorageException.Reason;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The driver's data directory (its layout is in {@link OverlayfsDriver}'s Javadoc) and the file
 * work the layer and snapshot stores share: temporary directories, removal, records of one line.
 */
final class StoreLayout {

    private final Path data;
    /**
     * Held while a layer or snapshot becomes visible or goes, so that a layer is never removed while
     * a layer or snapshot is being placed on it.
     */
    final ReentrantLock state = new ReentrantLock();

    StoreLayout(Path data) {
        this.data = data.toAbsolutePath();
    }

    Path layers() {
        return data.resolve("layers");
    }

    Path links() {
        return data.resolve("l");
    }

    Path snapshots() {
        return data.resolve("snapshots");
    }

    Path tmp() {
        return data.resolve("tmp");
    }

    /** The lower directory of a snapshot without a parent layer. */
    Path empty() {
        return data.resolve("empty");
    }

    Path layer(String chainId) {
        return layers().resolve(Digests.hex(chainId));
    }

    Path snapshot(String key) {
        return snapshots().resolve(key);
    }

    /**
     * Creates the directories, empties {@code tmp/} (work a crash cut off) and drops {@code l/}
     * links whose layer is gone.
     */
    void prepare() throws IOException {
        for (Path dir : List.of(layers(), links(), snapshots(), tmp(), empty())) {
            Files.createDirectories(dir);
        }
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp()); Sys sys = new Sys()) {
            for (Path p : leftovers) {
                sys.removeTree(nativePath(p));
            }
        }
        try (DirectoryStream<Path> links = Files.newDirectoryStream(links())) {
            for (Path link : links) {
                if (!Files.exists(link)) {
                    Files.deleteIfExists(link);
                }
            }
        }
    }

    /** The chain id a snapshot sits on, from its {@code parent} record; {@code null} for an empty root. */
    String snapshotParent(Path snapshotDir) throws StorageException {
        try {
            String parent = Files.readString(snapshotDir.resolve("parent"), StandardCharsets.US_ASCII).strip();
            return parent.isEmpty() ? null : Digests.requireSha256(parent, "parent chain id");
        } catch (IOException | IllegalArgumentException e) {
            throw new StorageException(Reason.IO, "snapshot " + snapshotDir.getFileName() + ": cannot read its parent record: " + e.getMessage(), e);
        }
    }

    Path newTmpDirectory(String prefix, String what) throws StorageException {
        try {
            Files.createDirectories(tmp());
            return Files.createTempDirectory(tmp(), prefix);
        } catch (IOException e) {
            throw new StorageException(Reason.IO, what + ": cannot create a directory in " + tmp() + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a tree already renamed out of view; what is left is deleted at the next start. */
    void remove(Path doomed, String what) throws StorageException {
        try (Sys sys = new Sys()) {
            sys.removeTree(nativePath(doomed));
        } catch (IOException e) {
            throw new StorageException(Reason.IO, what + ": removed from view, but deleting " + doomed + " failed: " + e.getMessage()
                    + "; it is deleted at the next start", e);
        }
    }

    static void removeQuietly(Path p) {
        try (Sys sys = new Sys()) {
            sys.removeTree(nativePath(p));
        } catch (IOException | RuntimeException ignored) {
            // tmp/ is emptied at the next start.
        }
    }

    static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** The names in a directory; none if it does not exist. */
    static List<String> names(Path dir, String what) throws StorageException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                out.add(p.getFileName().toString());
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new StorageException(Reason.IO, what + ": cannot list " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** A path of the driver's own (ASCII below the data directory) as the bytes the kernel sees. */
    static byte[] nativePath(Path p) {
        return Sys.fileName(p);
    }
}
