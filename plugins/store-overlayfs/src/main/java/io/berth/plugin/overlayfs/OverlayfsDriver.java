package io.berth.plugin.overlayfs;

import io.berth.spi.fs.MountTable;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.fs.Sys;
import io.berth.spi.fs.TarWriter;
import io.berth.spi.Digests;
import io.berth.spi.PluginContext;
import io.berth.spi.Probe;
import io.berth.spi.StorageDriver;
import io.berth.spi.storage.Keys;
import io.berth.spi.storage.LayerInfo;
import io.berth.spi.storage.Mount;
import io.berth.spi.storage.Snapshot;
import io.berth.spi.storage.StorageException;
import io.berth.spi.storage.StorageException.Reason;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link StorageDriver} on the kernel's overlayfs.
 *
 * <h2>Layout under the plugin's data directory</h2>
 * <pre>
 * layers/&lt;chain id hex&gt;/diff       a committed layer's files; the directory's presence means complete
 * layers/&lt;chain id hex&gt;/parent     the parent chain id, or empty for a bottom layer
 * layers/&lt;chain id hex&gt;/link       the layer's short id
 * layers/&lt;chain id hex&gt;/size       bytes of file content in diff/
 * l/&lt;short id&gt;                   symbolic link to ../layers/&lt;hex&gt;/diff, to keep mount options short
 * snapshots/&lt;key&gt;/upper, work     an active snapshot's overlay upper and work directories
 * snapshots/&lt;key&gt;/merged          where its root is mounted
 * snapshots/&lt;key&gt;/parent          the chain id it sits on, or empty for an empty root
 * empty/                          the lower directory of a snapshot with no parent
 * tmp/                            work in progress: unpacking, removing; emptied at start-up
 * </pre>
 * Every layer and snapshot is built complete under {@code tmp/} and then renamed into place, so a
 * crash leaves either nothing or the whole thing; removal renames out first, then deletes.
 *
 * <h2>Options</h2>
 * <dl>
 *   <dt>{@code device-nodes}</dt><dd>{@code allow} (default, as Docker) or {@code refuse}:
 *       whether layers may hold character and block devices.</dd>
 *   <dt>{@code absolute-names}</dt><dd>{@code refuse} (default) or {@code strip} (Docker's way):
 *       what to do with a tar entry whose name starts with {@code /}.</dd>
 * </dl>
 *
 * <h2>Mount options and many layers</h2>
 * The kernel takes mount options of at most one page (4096 bytes). Lower directories are named by
 * their {@code l/<short id>} links; when that is still too long (about 60 layers under
 * {@code /var/lib/berth}), the driver opens each lower directory and passes it as
 * {@code /proc/self/fd/<n>} for the duration of the mount call, about 19 bytes a layer, so images
 * of up to about 200 layers mount. Beyond that the mount fails naming the layer count.
 */
public class OverlayfsDriver implements StorageDriver {

    static final String NAME = "overlayfs";
    static final String PLUGIN_ID = "store-overlayfs";
    static final int MAX_MOUNT_DATA = 4095;

    private volatile PluginContext context;
    private volatile LayerUnpacker.Options unpackOptions = LayerUnpacker.Options.DEFAULT;
    private final ReentrantLock state = new ReentrantLock();
    private final ConcurrentHashMap<String, Object> keyLocks = new ConcurrentHashMap<>();

    /** Creates the driver; it does nothing until {@link #initialize}. */
    public OverlayfsDriver() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void initialize(PluginContext context) {
        this.context = context;
        Map<String, String> options = context.options();
        boolean devices = !"refuse".equalsIgnoreCase(options.getOrDefault("device-nodes", "allow"));
        boolean strip = "strip".equalsIgnoreCase(options.getOrDefault("absolute-names", "refuse"));
        this.unpackOptions = new LayerUnpacker.Options(devices, strip);
        try {
            for (Path dir : List.of(layersDirectory(), linksDirectory(), snapshotsDirectory(), tmpDirectory(), emptyDirectory())) {
                Files.createDirectories(dir);
            }
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmpDirectory()); Sys sys = new Sys()) {
                for (Path p : leftovers) {
                    sys.removeTree(nativePath(p));
                }
            }
            try (DirectoryStream<Path> links = Files.newDirectoryStream(linksDirectory())) {
                for (Path link : links) {
                    if (!Files.exists(link)) {
                        Files.deleteIfExists(link);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            context.logger().log(System.Logger.Level.WARNING, PLUGIN_ID + ": cannot prepare " + context.dataDirectory()
                    + ": " + e.getMessage() + "; probe() says whether the driver can work");
        }
    }

    private PluginContext context() {
        PluginContext c = context;
        if (c == null) {
            throw new IllegalStateException(PLUGIN_ID + ": initialize() was not called");
        }
        return c;
    }

    private Path data() {
        return context().dataDirectory().toAbsolutePath();
    }

    private Path layersDirectory() {
        return data().resolve("layers");
    }

    private Path linksDirectory() {
        return data().resolve("l");
    }

    private Path snapshotsDirectory() {
        return data().resolve("snapshots");
    }

    private Path tmpDirectory() {
        return data().resolve("tmp");
    }

    private Path emptyDirectory() {
        return data().resolve("empty");
    }

    private Path layerDirectory(String chainId) {
        return layersDirectory().resolve(Digests.hex(chainId));
    }

    private Path snapshotDirectory(String key) {
        return snapshotsDirectory().resolve(key);
    }

    @Override
    public Probe probe() {
        Probe.Check kernel = kernelCheck(Path.of("/proc/filesystems"));
        Probe.Check mount = kernel.passed()
                ? OverlayProbe.tryMount(context().dataDirectory())
                : Probe.Check.failed("overlay mount", Probe.Kind.FILESYSTEM, "not tried: the kernel has no overlay filesystem");
        return Probe.of(kernel, mount);
    }

    /**
     * Whether {@code /proc/filesystems} lists overlay.
     *
     * @param procFilesystems the file to read (a parameter for tests)
     * @return the check
     */
    static Probe.Check kernelCheck(Path procFilesystems) {
        try {
            boolean listed = Files.readAllLines(procFilesystems, StandardCharsets.US_ASCII).stream()
                    .map(line -> line.substring(line.lastIndexOf('\t') + 1).strip())
                    .anyMatch("overlay"::equals);
            return listed
                    ? Probe.Check.passed("overlay filesystem", Probe.Kind.KERNEL, "listed in " + procFilesystems)
                    : Probe.Check.failed("overlay filesystem", Probe.Kind.KERNEL, "not listed in " + procFilesystems
                            + "; load it with modprobe overlay (kernel option CONFIG_OVERLAY_FS)");
        } catch (IOException e) {
            return Probe.Check.failed("overlay filesystem", Probe.Kind.KERNEL, "cannot read " + procFilesystems + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- layers

    @Override
    public boolean hasLayer(String chainId) {
        String hex = Digests.hex(Digests.requireSha256(chainId, "chain id"));
        return Files.isDirectory(layersDirectory().resolve(hex), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public LayerInfo applyLayer(String chainId, String parentChainId, InputStream uncompressedTar) throws StorageException {
        Digests.requireSha256(chainId, "chain id");
        if (parentChainId != null) {
            Digests.requireSha256(parentChainId, "parent chain id");
            if (parentChainId.equals(chainId)) {
                throw new IllegalArgumentException("layer " + chainId + " cannot be its own parent");
            }
        }
        if (hasLayer(chainId)) {
            drain(uncompressedTar, chainId);
            return existing(chainId, "applyLayer");
        }
        if (parentChainId != null && !hasLayer(parentChainId)) {
            throw new StorageException(Reason.NOT_FOUND, "applyLayer " + chainId + ": its parent layer " + parentChainId
                    + " is not present; apply the layers from the bottom up");
        }
        Path tmp = newTmpDirectory(Digests.hex(chainId).substring(0, 12) + "-", "applyLayer " + chainId);
        boolean published = false;
        try {
            long size;
            try (Sys sys = new Sys()) {
                byte[] diff = nativePath(tmp.resolve("diff"));
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
                removeQuietly(tmp);
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
        Path dest = layerDirectory(chainId);
        state.lock();
        try {
            if (Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
                removeQuietly(tmp);
                return existing(chainId, op);
            }
            if (parentChainId != null && !hasLayer(parentChainId)) {
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
                Files.deleteIfExists(linksDirectory().resolve(link));
                throw e;
            }
            return new LayerInfo(chainId, parentChainId, size);
        } catch (StorageException e) {
            throw e;
        } catch (IOException e) {
            throw new StorageException(Reason.IO, op + " " + chainId + ": cannot make the layer visible: " + e.getMessage(), e);
        } finally {
            state.unlock();
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
                Files.createSymbolicLink(linksDirectory().resolve(id.toString()),
                        Path.of("..", "layers", layerDir.getFileName().toString(), "diff"));
                return id.toString();
            } catch (FileAlreadyExistsException taken) {
                // Try another id.
            }
        }
        throw new IOException(what + ": cannot find a free short id under " + linksDirectory());
    }

    private LayerInfo existing(String chainId, String op) throws StorageException {
        return layer(chainId).orElseThrow(() -> new StorageException(Reason.NOT_FOUND,
                op + " " + chainId + ": the layer was removed meanwhile"));
    }

    @Override
    public Optional<LayerInfo> layer(String chainId) throws StorageException {
        Digests.requireSha256(chainId, "chain id");
        Path dir = layerDirectory(chainId);
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

    @Override
    public List<LayerInfo> listLayers() throws StorageException {
        List<LayerInfo> out = new ArrayList<>();
        for (String hex : names(layersDirectory(), "listLayers")) {
            String chainId = "sha256:" + hex;
            if (Digests.isSha256(chainId)) {
                layer(chainId).ifPresent(out::add);
            }
        }
        return out;
    }

    @Override
    public void removeLayer(String chainId) throws StorageException {
        Digests.requireSha256(chainId, "chain id");
        Path dir = layerDirectory(chainId);
        Path doomed;
        state.lock();
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            for (LayerInfo other : listLayers()) {
                if (chainId.equals(other.parentChainId())) {
                    throw new StorageException(Reason.IN_USE, "removeLayer " + chainId + ": layer " + other.chainId()
                            + " sits on it; remove that one first");
                }
            }
            for (String key : names(snapshotsDirectory(), "removeLayer")) {
                if (chainId.equals(readParent(snapshotDirectory(key)))) {
                    throw new StorageException(Reason.IN_USE, "removeLayer " + chainId + ": snapshot " + key
                            + " sits on it; remove the snapshot first");
                }
            }
            String link = readQuietly(dir.resolve("link"));
            doomed = tmpDirectory().resolve("rm-" + Digests.hex(chainId).substring(0, 12) + "-" + System.nanoTime());
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
            if (!link.isEmpty()) {
                Files.deleteIfExists(linksDirectory().resolve(link));
            }
        } catch (IOException e) {
            if (e instanceof StorageException se) {
                throw se;
            }
            throw new StorageException(Reason.IO, "removeLayer " + chainId + ": " + e.getMessage(), e);
        } finally {
            state.unlock();
        }
        remove(doomed, "removeLayer " + chainId);
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    public Snapshot prepare(String key, String parentChainId) throws StorageException {
        Keys.requireValid(key);
        if (parentChainId != null) {
            Digests.requireSha256(parentChainId, "parent chain id");
        }
        Path dest = snapshotDirectory(key);
        synchronized (keyLock(key)) {
            state.lock();
            try {
                if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
                    throw new StorageException(Reason.ALREADY_EXISTS, "prepare " + key + ": a snapshot with this key exists; remove it first");
                }
                if (parentChainId != null && !hasLayer(parentChainId)) {
                    throw new StorageException(Reason.NOT_FOUND, "prepare " + key + ": the parent layer " + parentChainId + " is not present");
                }
                Path tmp = newTmpDirectory("snap-", "prepare " + key);
                try (Sys sys = new Sys()) {
                    byte[] upper = nativePath(tmp.resolve("upper"));
                    sys.mkdir(upper, 0755);
                    Sys.Stat rootOfParent = parentChainId == null ? null
                            : sys.lstat(nativePath(layerDirectory(parentChainId).resolve("diff")));
                    if (rootOfParent != null) {
                        sys.lchown(upper, rootOfParent.uid(), rootOfParent.gid());
                        sys.chmod(upper, rootOfParent.mode() & 07777);
                    } else {
                        sys.chmod(upper, 0755);
                    }
                    Files.createDirectory(tmp.resolve("work"));
                    Files.createDirectory(tmp.resolve("merged"));
                    Files.writeString(tmp.resolve("parent"), parentChainId == null ? "" : parentChainId, StandardCharsets.US_ASCII);
                    Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    removeQuietly(tmp);
                    throw new StorageException(Reason.IO, "prepare " + key + ": " + e.getMessage(), e);
                }
            } finally {
                state.unlock();
            }
            return describe(key, dest, parentChainId, false);
        }
    }

    @Override
    public Optional<Snapshot> snapshot(String key) throws StorageException {
        Keys.requireValid(key);
        Path dir = snapshotDirectory(key);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(describe(key, dir, readParent(dir), isMounted(dir.resolve("merged"))));
    }

    @Override
    public List<Snapshot> listSnapshots() throws StorageException {
        List<Path> mounts = MountTable.mountPoints();
        List<Snapshot> out = new ArrayList<>();
        for (String key : names(snapshotsDirectory(), "listSnapshots")) {
            if (Keys.isValid(key)) {
                Path dir = snapshotDirectory(key);
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    out.add(describe(key, dir, readParent(dir), mounts.contains(dir.resolve("merged"))));
                }
            }
        }
        return out;
    }

    private Snapshot describe(String key, Path dir, String parent, boolean mounted) throws StorageException {
        Map<String, String> details = new LinkedHashMap<>();
        List<String> lowers = new ArrayList<>();
        for (String id : chain(parent, "snapshot " + key)) {
            lowers.add(layerDirectory(id).resolve("diff").toString());
        }
        details.put("LowerDir", lowers.isEmpty() ? emptyDirectory().toString() : String.join(":", lowers));
        details.put("UpperDir", dir.resolve("upper").toString());
        details.put("WorkDir", dir.resolve("work").toString());
        details.put("MergedDir", dir.resolve("merged").toString());
        return new Snapshot(key, parent, dir.resolve("merged"), mounted, details);
    }

    /** The chain ids from {@code top} down to the bottom layer; empty for {@code null}. */
    private List<String> chain(String top, String what) throws StorageException {
        List<String> out = new ArrayList<>();
        String id = top;
        while (id != null) {
            if (out.size() > 1000) {
                throw new StorageException(Reason.IO, what + ": the parent records of layer " + top + " form a loop");
            }
            Optional<LayerInfo> layer = layer(id);
            if (layer.isEmpty()) {
                throw new StorageException(Reason.NOT_FOUND, what + ": layer " + id + " of its parent chain is not present");
            }
            out.add(id);
            id = layer.get().parentChainId();
        }
        return out;
    }

    @Override
    public Mount mount(String key) throws StorageException {
        Keys.requireValid(key);
        synchronized (keyLock(key)) {
            Path dir = requireSnapshot(key, "mount");
            Path merged = dir.resolve("merged");
            String parent = readParent(dir);
            List<Path> lowers = new ArrayList<>();
            for (String id : chain(parent, "mount " + key)) {
                lowers.add(linkFor(id, "mount " + key));
            }
            if (lowers.isEmpty()) {
                lowers.add(emptyDirectory());
            }
            List<String> options = overlayOptions(lowers, dir.resolve("upper").toString(), dir.resolve("work").toString());
            Mount mount = new Mount(merged, "overlay", "overlay", options);
            if (isMounted(merged)) {
                return mount;
            }
            String data = mount.optionString();
            try {
                if (data.getBytes(StandardCharsets.UTF_8).length <= MAX_MOUNT_DATA) {
                    Libc.mount("overlay", merged.toString(), "overlay", Libc.MS_NODEV, data);
                } else {
                    mountThroughDescriptors(key, merged, lowers, dir);
                }
            } catch (StorageException e) {
                throw e;
            } catch (Sys.SysException e) {
                throw new StorageException(Reason.IO, "mount " + key + " (" + lowers.size() + " layers): " + e.getMessage(), e);
            } catch (IOException e) {
                throw new StorageException(Reason.IO, "mount " + key + ": " + e.getMessage(), e);
            }
            return mount;
        }
    }

    /** The overlay options: lower directories top first, then upper and work, then feature switches. */
    private static List<String> overlayOptions(List<?> lowers, String upper, String work) {
        List<String> options = new ArrayList<>();
        StringBuilder lower = new StringBuilder("lowerdir=");
        for (int i = 0; i < lowers.size(); i++) {
            lower.append(i == 0 ? "" : ":").append(lowers.get(i));
        }
        options.add(lower.toString());
        options.add("upperdir=" + upper);
        options.add("workdir=" + work);
        // Diffs read the upper directory as it is: no metadata-only copy-ups, no rename redirects,
        // no inode index tying the upper directory to one set of lower ones.
        for (String feature : List.of("index", "redirect_dir", "metacopy")) {
            if (Files.exists(Path.of("/sys/module/overlay/parameters", feature))) {
                options.add(feature + "=off");
            }
        }
        return options;
    }

    /**
     * Mounts with each lower directory (and the upper and work directories) passed as an open
     * descriptor, {@code /proc/self/fd/<n>}: the form that keeps 128 layers within a page
     * wherever the data directory is.
     */
    private void mountThroughDescriptors(String key, Path merged, List<Path> lowers, Path dir) throws IOException {
        List<Integer> fds = new ArrayList<>();
        try (Sys sys = new Sys()) {
            try {
                List<String> lowerFds = new ArrayList<>();
                for (Path lower : lowers) {
                    int fd = sys.open(nativePath(lower), Sys.O_PATH | Sys.O_DIRECTORY, 0);
                    fds.add(fd);
                    lowerFds.add("/proc/self/fd/" + fd);
                }
                int upper = sys.open(nativePath(dir.resolve("upper")), Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_NOFOLLOW, 0);
                fds.add(upper);
                int work = sys.open(nativePath(dir.resolve("work")), Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_NOFOLLOW, 0);
                fds.add(work);
                String data = String.join(",", overlayOptions(lowerFds, "/proc/self/fd/" + upper, "/proc/self/fd/" + work));
                if (data.length() > MAX_MOUNT_DATA) {
                    throw new StorageException(Reason.UNSUPPORTED, "mount " + key + ": the image has " + lowers.size()
                            + " layers; overlay's options for them take " + data.length() + " bytes even as descriptors, over the kernel's limit of "
                            + MAX_MOUNT_DATA + " (about " + (MAX_MOUNT_DATA - 200) / 19 + " layers at most)");
                }
                Libc.mount("overlay", merged.toString(), "overlay", Libc.MS_NODEV, data);
            } finally {
                for (int fd : fds) {
                    sys.closeQuietly(fd);
                }
            }
        }
    }

    /** The layer's {@code l/<short id>} link, recreated if a crash lost it. */
    private Path linkFor(String chainId, String what) throws StorageException {
        Path layerDir = layerDirectory(chainId);
        try {
            String id = readQuietly(layerDir.resolve("link"));
            Path link = id.isEmpty() ? null : linksDirectory().resolve(id);
            if (link != null && Files.isDirectory(link)) {
                return link;
            }
            state.lock();
            try {
                if (link != null) {
                    Files.deleteIfExists(link);
                }
                String fresh = newLink(layerDir, what);
                Path tmp = layerDir.resolve("link.tmp");
                Files.writeString(tmp, fresh, StandardCharsets.US_ASCII);
                Files.move(tmp, layerDir.resolve("link"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return linksDirectory().resolve(fresh);
            } finally {
                state.unlock();
            }
        } catch (IOException e) {
            throw new StorageException(Reason.IO, what + ": cannot link layer " + chainId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void unmount(String key) throws StorageException {
        Keys.requireValid(key);
        synchronized (keyLock(key)) {
            Path dir = requireSnapshot(key, "unmount");
            unmountIfMounted(key, dir.resolve("merged"), "unmount");
        }
    }

    private void unmountIfMounted(String key, Path merged, String op) throws StorageException {
        if (!isMounted(merged)) {
            return;
        }
        try {
            umountRetryingBusy(merged);
        } catch (Sys.SysException e) {
            if (e.errno == Sys.EBUSY) {
                throw new StorageException(Reason.IN_USE, op + " " + key + ": the mount at " + merged
                        + " is busy: a process still has a file or its working directory in it");
            }
            if (e.errno != Sys.EINVAL) {
                throw new StorageException(Reason.IO, op + " " + key + ": " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new StorageException(Reason.IO, op + " " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * EBUSY is often transient: a container being created at that moment clones the host's mounts
     * into its new mount namespace, and until its init pivots away the copy keeps this mount's peer
     * busy. So retry for up to a second (containerd retries the same way) before giving up.
     */
    private static void umountRetryingBusy(Path merged) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                Libc.umount2(merged.toString(), 0);
                return;
            } catch (Sys.SysException e) {
                if (e.errno != Sys.EBUSY || attempt >= 20) {
                    throw e;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                Libc.umount2(merged.toString(), 0);
                return;
            }
        }
    }

    @Override
    public void diff(String key, OutputStream tarOut) throws StorageException {
        diff(key, tarOut, null);
    }

    @Override
    public void diff(String key, OutputStream tarOut, Instant clampTimesTo) throws StorageException {
        Keys.requireValid(key);
        Path dir = requireSnapshot(key, "diff");
        long clamp = clampTimesTo == null ? Long.MAX_VALUE : clampTimesTo.getEpochSecond();
        BufferedOutputStream out = new BufferedOutputStream(nonClosing(tarOut), 256 * 1024);
        try (SafeRoot upper = SafeRoot.open(dir.resolve("upper"), SafeRoot.Symlinks.REFUSE)) {
            new UpperDiff(upper, new TarWriter(out), clamp).write();
            out.flush();
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "diff " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void removeSnapshot(String key) throws StorageException {
        Keys.requireValid(key);
        synchronized (keyLock(key)) {
            Path dir = snapshotDirectory(key);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            unmountIfMounted(key, dir.resolve("merged"), "removeSnapshot");
            Path doomed = tmpDirectory().resolve("rm-snap-" + System.nanoTime());
            state.lock();
            try {
                Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new StorageException(Reason.IO, "removeSnapshot " + key + ": " + e.getMessage(), e);
            } finally {
                state.unlock();
            }
            remove(doomed, "removeSnapshot " + key);
        }
    }

    // ---------------------------------------------------------------- helpers

    private Object keyLock(String key) {
        return keyLocks.computeIfAbsent(key, k -> new Object());
    }

    private Path requireSnapshot(String key, String op) throws StorageException {
        Path dir = snapshotDirectory(key);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new StorageException(Reason.NOT_FOUND, op + " " + key + ": there is no snapshot with this key");
        }
        return dir;
    }

    private String readParent(Path snapshotDir) throws StorageException {
        try {
            String parent = Files.readString(snapshotDir.resolve("parent"), StandardCharsets.US_ASCII).strip();
            return parent.isEmpty() ? null : Digests.requireSha256(parent, "parent chain id");
        } catch (IOException | IllegalArgumentException e) {
            throw new StorageException(Reason.IO, "snapshot " + snapshotDir.getFileName() + ": cannot read its parent record: " + e.getMessage(), e);
        }
    }

    private Path newTmpDirectory(String prefix, String what) throws StorageException {
        try {
            Files.createDirectories(tmpDirectory());
            return Files.createTempDirectory(tmpDirectory(), prefix);
        } catch (IOException e) {
            throw new StorageException(Reason.IO, what + ": cannot create a directory in " + tmpDirectory() + ": " + e.getMessage(), e);
        }
    }

    private void remove(Path doomed, String what) throws StorageException {
        try (Sys sys = new Sys()) {
            sys.removeTree(nativePath(doomed));
        } catch (IOException e) {
            throw new StorageException(Reason.IO, what + ": removed from view, but deleting " + doomed + " failed: " + e.getMessage()
                    + "; it is deleted at the next start", e);
        }
    }

    private static void removeQuietly(Path p) {
        try (Sys sys = new Sys()) {
            sys.removeTree(nativePath(p));
        } catch (IOException | RuntimeException ignored) {
            // tmp/ is emptied at the next start.
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static List<String> names(Path dir, String what) throws StorageException {
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

    private static void drain(InputStream in, String chainId) throws StorageException {
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new StorageException(Reason.IO, "applyLayer " + chainId + ": reading the tar failed: " + e.getMessage(), e);
        }
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    private static final Charset NATIVE = nativeCharset();

    private static Charset nativeCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /** A path of the driver's own (ASCII below the data directory) as the bytes the kernel sees. */
    static byte[] nativePath(Path p) {
        return p.toAbsolutePath().toString().getBytes(NATIVE);
    }

    private static boolean isMounted(Path mountPoint) {
        return MountTable.isMounted(mountPoint);
    }
}
