package io.berth.plugin.overlayfs;

import io.berth.spi.PluginContext;
import io.berth.spi.Probe;
import io.berth.spi.StorageDriver;
import io.berth.spi.storage.LayerInfo;
import io.berth.spi.storage.Mount;
import io.berth.spi.storage.Snapshot;
import io.berth.spi.storage.StorageException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 *
 * <h2>Inside</h2>
 * This class reads the options and answers the SPI; {@link LayerStore} keeps the layers,
 * {@link SnapshotStore} the snapshots, {@link OverlayMounts} mounts them, and {@link StoreLayout}
 * knows the directories above. PF4J creates the driver with Java's default constructor; it does nothing
 * until {@link #initialize}.
 */
public class OverlayfsDriver implements StorageDriver {

    static final String NAME = "overlayfs";
    static final String PLUGIN_ID = "store-overlayfs";

    /** Set by {@link #initialize}: the stores under the data directory the context names. */
    private volatile Stores stores;

    private record Stores(Path dataDirectory, LayerStore layers, SnapshotStore snapshots) {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void initialize(PluginContext context) {
        Map<String, String> options = context.options();
        boolean devices = !"refuse".equalsIgnoreCase(options.getOrDefault("device-nodes", "allow"));
        boolean strip = "strip".equalsIgnoreCase(options.getOrDefault("absolute-names", "refuse"));
        StoreLayout layout = new StoreLayout(context.dataDirectory());
        LayerStore layers = new LayerStore(layout, new LayerUnpacker.Options(devices, strip));
        this.stores = new Stores(context.dataDirectory(), layers, new SnapshotStore(layout, layers));
        try {
            layout.prepare();
        } catch (IOException | RuntimeException e) {
            context.logger().log(System.Logger.Level.WARNING, PLUGIN_ID + ": cannot prepare " + context.dataDirectory()
                    + ": " + e.getMessage() + "; probe() says whether the driver can work");
        }
    }

    private Stores stores() {
        Stores s = stores;
        if (s == null) {
            throw new IllegalStateException(PLUGIN_ID + ": initialize() was not called");
        }
        return s;
    }

    @Override
    public Probe probe() {
        Path dataDirectory = stores().dataDirectory();
        Probe.Check kernel = kernelCheck(Path.of("/proc/filesystems"));
        Probe.Check mount = kernel.passed()
                ? OverlayProbe.tryMount(dataDirectory)
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
        return stores().layers().has(chainId);
    }

    @Override
    public LayerInfo applyLayer(String chainId, String parentChainId, InputStream uncompressedTar) throws StorageException {
        return stores().layers().apply(chainId, parentChainId, uncompressedTar);
    }

    @Override
    public Optional<LayerInfo> layer(String chainId) throws StorageException {
        return stores().layers().get(chainId);
    }

    @Override
    public List<LayerInfo> listLayers() throws StorageException {
        return stores().layers().list();
    }

    @Override
    public void removeLayer(String chainId) throws StorageException {
        stores().layers().remove(chainId);
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    public Snapshot prepare(String key, String parentChainId) throws StorageException {
        return stores().snapshots().prepare(key, parentChainId);
    }

    @Override
    public Optional<Snapshot> snapshot(String key) throws StorageException {
        return stores().snapshots().get(key);
    }

    @Override
    public List<Snapshot> listSnapshots() throws StorageException {
        return stores().snapshots().list();
    }

    @Override
    public Mount mount(String key) throws StorageException {
        return stores().snapshots().mount(key);
    }

    @Override
    public void unmount(String key) throws StorageException {
        stores().snapshots().unmount(key);
    }

    @Override
    public void diff(String key, OutputStream tarOut) throws StorageException {
        diff(key, tarOut, null);
    }

    @Override
    public void diff(String key, OutputStream tarOut, Instant clampTimesTo) throws StorageException {
        stores().snapshots().diff(key, tarOut, clampTimesTo);
    }

    @Override
    public void removeSnapshot(String key) throws StorageException {
        stores().snapshots().remove(key);
    }
}
