package io.berth.plugin.overlayfs;

import io.berth.spi.Digests;
import io.berth.spi.PluginContext;
import io.berth.spi.Probe;
import io.berth.spi.StorageDriver;
import io.berth.spi.storage.LayerInfo;
import io.berth.spi.storage.Mount;
import io.berth.spi.storage.Snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@link StorageDriver} on the kernel's overlayfs.
 *
 * <p>Layout under the plugin's data directory:
 * <pre>
 * layers/&lt;chain id hex&gt;/        a committed layer; present means complete
 * snapshots/&lt;key&gt;/{upper,work,merged}   an active snapshot
 * tmp/                               unpacking in progress; emptied at start-up
 * </pre>
 *
 * <p>Probing, {@link #hasLayer} and the layout are written; unpacking, snapshots and diffs are
 * not yet.
 */
public class OverlayfsDriver implements StorageDriver {

    static final String NAME = "overlayfs";
    static final String PLUGIN_ID = "store-overlayfs";

    private volatile PluginContext context;

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
    }

    private PluginContext context() {
        PluginContext c = context;
        if (c == null) {
            throw new IllegalStateException(PLUGIN_ID + ": initialize() was not called");
        }
        return c;
    }

    private Path layersDirectory() {
        return context().dataDirectory().resolve("layers");
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

    @Override
    public boolean hasLayer(String chainId) {
        String hex = Digests.hex(Digests.requireSha256(chainId, "chain id"));
        return Files.isDirectory(layersDirectory().resolve(hex), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public LayerInfo applyLayer(String chainId, String parentChainId, InputStream uncompressedTar) {
        throw notYet("applyLayer");
    }

    @Override
    public Optional<LayerInfo> layer(String chainId) {
        throw notYet("layer");
    }

    @Override
    public List<LayerInfo> listLayers() {
        throw notYet("listLayers");
    }

    @Override
    public void removeLayer(String chainId) {
        throw notYet("removeLayer");
    }

    @Override
    public Snapshot prepare(String key, String parentChainId) {
        throw notYet("prepare");
    }

    @Override
    public Optional<Snapshot> snapshot(String key) {
        throw notYet("snapshot");
    }

    @Override
    public List<Snapshot> listSnapshots() {
        throw notYet("listSnapshots");
    }

    @Override
    public Mount mount(String key) {
        throw notYet("mount");
    }

    @Override
    public void unmount(String key) {
        throw notYet("unmount");
    }

    @Override
    public void diff(String key, OutputStream tarOut) {
        throw notYet("diff");
    }

    @Override
    public void removeSnapshot(String key) {
        throw notYet("removeSnapshot");
    }

    private static UnsupportedOperationException notYet(String operation) {
        return new UnsupportedOperationException(PLUGIN_ID + ": " + operation + " is not implemented yet");
    }
}
