package io.berth.plugin.overlayfs;

import io.berth.spi.Digests;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.fs.Sys;
import io.berth.spi.storage.LayerInfo;
import io.berth.spi.storage.StorageException;
import io.berth.spi.storage.StorageException.Reason;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Committed layers under {@code layers/}: unpacking a tar into a new one (through {@link LayerUnpacker},
 * which refuses hostile entries), reading their records, the parent chain, the short {@code l/} links
 * the overlay mount options name them by, and removal.
 */
final class LayerStore {

    private final StoreLayout layout;
    private final LayerUnpacker.Options unpackOptions;

    LayerStore(StoreLayout layout, LayerUnpacker.Options unpackOptions) {
        this.layout = layout;
        this.unpackOptions = unpackOptions;
    }

    boolean has(String chainId) {
        String hex = Digests.hex(Digests.requireSha256(chainId, "chain id"));
        return Files.isDirectory(layout.layers().resolve(hex), LinkOption.NOFOLLOW_LINKS);
    }

    /** The layer's files, the directory an overlay mount lists among its lower ones. */
    Path diffDirectory(String chainId) {
        return layout.layer(chainId).resolve("diff");
    }

    LayerInfo apply(String chainId, String parentChainId, InputStream uncompressedTar) throws StorageException {
        Digests.requireSha256(chainId, "chain id");
        if (parentChainId != null) {
            Digests.requireSha256(parentChainId, "parent chain id");
            if (parentChainId.equals(chainId)) {
                throw new IllegalArgumentException("layer " + chainId + " cannot be its own parent");
            }
        }
        if (has(chainId)) {
            drain(uncompressedTar, chainId);
            return existing(chainId, "applyLayer");
        }
        if (parentChainId != null && !has(parentChainId)) {
            throw new StorageException(Reason.NOT_FOUND, "applyLayer " + chainId + ": its parent layer " + parentChainId
                    + " is not present; apply the layers from the bottom up");
        }
        Path tmp = layout.newTmpDirectory(Digests.hex(chainId).substring(0, 12) + "-", "applyLayer " + chainId);
        boolean published = false;
        try {
            long size;
            try (Sys sys = new Sys()) {
                byte[] diff = StoreLayout.nativePath(tmp.resolve("diff"));
                sys.mkdir(diff, 0755);
                sys.chmod(diff, 0755);
            } catch (Sys.SysException e) {
                throw new StorageException(Reason.IO, "applyLayer " + chainId + ": " + e.getMessage(), e);
            }
            try (SafeRoot layer = SafeRoot.open(tmp.resolve("diff"), SafeRoot.Symlinks.REFUSE)) {
                size = new LayerUnpacker(layer, chainId, unpackOptions).unpack(new TarReader(uncompressedTar));
            } catch (StorageException e) {
                throw e;
            } catch (IOException e) {
                throw new StorageException(Reason.IO, "applyLayer " + chainId + ": " + e.getMessage(), e);
            }
            LayerInfo info = publish(chainId, parentChainId, tmp, size, "applyLayer");
            published = true;
            return info;
        } finally {
            if (!published) {
                StoreLayout.removeQuietly(tmp);
            }
        }
    }

    /**
     * Makes a complete layer directory under {@code tmp/} visible under {@code layers/}: writes
     * its records, links it under {@code l/} and renames it into place, all under the state lock.
     * If the layer appeared meanwhile (a concurrent apply of the same layer), the temporary one is
     * dropped and the present one returned.
     */
    private LayerInfo publish(String chainId, String parentChainId, Path tmp, long size, String op) throws StorageException {
        Path dest = layout.layer(chainId);
        layout.state.lock();
        try {
            if (Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
                StoreLayout.removeQuietly(tmp);
                return existing(chainId, op);
            }
            if (parentChainId != null && !has(parentChainId)) {
                throw new StorageException(Reason.NOT_FOUND, op + " " + chainId + ": its parent layer " + parentChainId
                        + " was removed meanwhile");
            }
            String link = newLink(dest, op + " " + chainId);
            Files.writeString(tmp.resolve("parent"), parentChainId == null ? "" : parentChainId, StandardCharsets.US_ASCII);
            Files.writeString(tmp.resolve("size"), Long.toString(size), StandardCharsets.US_ASCII);
            Files.writeString(tmp.resolve("link"), link, StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                Files.deleteIfExists(layout.links().resolve(link));
                throw e;
            }
            return new LayerInfo(chainId, parentChainId, size);
        } catch (StorageException e) {
            throw e;
        } catch (IOException e) {
            throw new StorageException(Reason.IO, op + " " + chainId + ": cannot make the layer visible: " + e.getMessage(), e);
        } finally {
            layout.state.unlock();
        }
    }

    /** Creates {@code l/<new short id>} pointing at the layer's future diff directory. */
    private String newLink(Path layerDir, String what) throws IOException {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        for (int attempt = 0; attempt < 100; attempt++) {
            StringBuilder id = new StringBuilder(12);
            for (int i = 0; i < 12; i++) {
                id.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
            }
            try {
                Files.createSymbolicLink(layout.links().resolve(id.toString()),
                        Path.of("..", "layers", layerDir.getFileName().toString(), "diff"));
                return id.toString();
            } catch (FileAlreadyExistsException taken) {
                // Try another id.
            }
        }
        throw new IOException(what + ": cannot find a free short id under " + layout.links());
    }

    /** The layer's {@code l/<short id>} link, recreated if a crash lost it. */
    Path link(String chainId, String what) throws StorageException {
        Path layerDir = layout.layer(chainId);
        try {
            String id = StoreLayout.readQuietly(layerDir.resolve("link"));
            Path link = id.isEmpty() ? null : layout.links().resolve(id);
            if (link != null && Files.isDirectory(link)) {
                return link;
            }
            layout.state.lock();
            try {
                if (link != null) {
                    Files.deleteIfExists(link);
                }
                String fresh = newLink(layerDir, what);
                Path tmp = layerDir.resolve("link.tmp");
                Files.writeString(tmp, fresh, StandardCharsets.US_ASCII);
                Files.move(tmp, layerDir.resolve("link"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return layout.links().resolve(fresh);
            } finally {
                layout.state.unlock();
            }
        } catch (IOException e) {
            throw new StorageException(Reason.IO, what + ": cannot link layer " + chainId + ": " + e.getMessage(), e);
        }
    }

    private LayerInfo existing(String chainId, String op) throws StorageException {
        return get(chainId).orElseThrow(() -> new StorageException(Reason.NOT_FOUND,
                op + " " + chainId + ": the layer was removed meanwhile"));
    }

    Optional<LayerInfo> get(String chainId) throws StorageException {
        Digests.requireSha256(chainId, "chain id");
        Path dir = layout.layer(chainId);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            String parent = Files.readString(dir.resolve("parent"), StandardCharsets.US_ASCII).strip();
            long size = Long.parseLong(Files.readString(dir.resolve("size"), StandardCharsets.US_ASCII).strip());
            return Optional.of(new LayerInfo(chainId, parent.isEmpty() ? null : parent, size));
        } catch (IOException | RuntimeException e) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            throw new StorageException(Reason.IO, "layer " + chainId + ": cannot read its records in " + dir + ": " + e.getMessage(), e);
        }
    }

    List<LayerInfo> list() throws StorageException {
        List<LayerInfo> out = new ArrayList<>();
        for (String hex : StoreLayout.names(layout.layers(), "listLayers")) {
            String chainId = "sha256:" + hex;
            if (Digests.isSha256(chainId)) {
                get(chainId).ifPresent(out::add);
            }
        }
        return out;
    }

    /** The chain ids from {@code top} down to the bottom layer; empty for {@code null}. */
    List<String> chain(String top, String what) throws StorageException {
        List<String> out = new ArrayList<>();
        String id = top;
        while (id != null) {
            if (out.size() > 1000) {
                throw new StorageException(Reason.IO, what + ": the parent records of layer " + top + " form a loop");
            }
            Optional<LayerInfo> layer = get(id);
            if (layer.isEmpty()) {
                throw new StorageException(Reason.NOT_FOUND, what + ": layer " + id + " of its parent chain is not present");
            }
            out.add(id);
            id = layer.get().parentChainId();
        }
        return out;
    }

    /** Removes a layer no layer and no snapshot sits on; absent is not an error. */
    void remove(String chainId) throws StorageException {
        Digests.requireSha256(chainId, "chain id");
        Path dir = layout.layer(chainId);
        Path doomed;
        layout.state.lock();
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            for (LayerInfo other : list()) {
                if (chainId.equals(other.parentChainId())) {
                    throw new StorageException(Reason.IN_USE, "removeLayer " + chainId + ": layer " + other.chainId()
                            + " sits on it; remove that one first");
                }
            }
            for (String key : StoreLayout.names(layout.snapshots(), "removeLayer")) {
                if (chainId.equals(layout.snapshotParent(layout.snapshot(key)))) {
                    throw new StorageException(Reason.IN_USE, "removeLayer " + chainId + ": snapshot " + key
                            + " sits on it; remove the snapshot first");
                }
            }
            String link = StoreLayout.readQuietly(dir.resolve("link"));
            doomed = layout.tmp().resolve("rm-" + Digests.hex(chainId).substring(0, 12) + "-" + System.nanoTime());
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
            if (!link.isEmpty()) {
                Files.deleteIfExists(layout.links().resolve(link));
            }
        } catch (IOException e) {
            if (e instanceof StorageException se) {
                throw se;
            }
            throw new StorageException(Reason.IO, "removeLayer " + chainId + ": " + e.getMessage(), e);
        } finally {
            layout.state.unlock();
        }
        layout.remove(doomed, "removeLayer " + chainId);
    }

    /** Reads a layer's tar to its end, so the engine's digest of it completes, when the layer is present. */
    private static void drain(InputStream in, String chainId) throws StorageException {
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "applyLayer " + chainId + ": reading the tar failed: " + e.getMessage(), e);
        }
    }
}
