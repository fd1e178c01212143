package io.berth.spi;

import io.berth.spi.storage.LayerInfo;
import io.berth.spi.storage.Mount;
import io.berth.spi.storage.Snapshot;
import io.berth.spi.storage.StorageException;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Keeps image layers unpacked on disk and gives containers and build steps their root
 * filesystems. The built-in implementation is {@code overlayfs}.
 *
 * <h2>Vocabulary</h2>
 * <dl>
 *   <dt>diff id</dt>
 *   <dd>The sha256 digest of a layer's <em>uncompressed</em> tar, as listed in the image config's
 *       {@code rootfs.diff_ids}. Not the digest of the (compressed) blob in the registry.</dd>
 *   <dt>chain id</dt>
 *   <dd>Names a layer <em>together with everything below it</em>, as the OCI image spec defines:
 *       the chain id of the bottom layer is its diff id; the chain id of layer <i>n</i> is
 *       {@code sha256(chainId(n-1) + " " + diffId(n))}. Two images that share their bottom three
 *       layers share those three chain ids, and so share the unpacked directories on disk. See
 *       {@link io.berth.spi.storage.ChainIds}. The engine computes chain ids; the driver treats
 *       them as names.</dd>
 *   <dt>parent chain</dt>
 *   <dd>The chain id of the layer directly below. A layer's parent must be present before the
 *       layer is applied; the bottom layer has none ({@code null}).</dd>
 *   <dt>committed layer</dt>
 *   <dd>A read-only, unpacked layer, named by its chain id. It only ever appears complete:
 *       {@link #applyLayer} unpacks into a private place and makes the layer visible in one step at
 *       the end, so a crash or a refused tar leaves nothing behind.</dd>
 *   <dt>active snapshot</dt>
 *   <dd>A writable layer on top of a parent chain, named by a key the engine chooses: a
 *       container's root filesystem (its overlay upper and work directories) or a build step's
 *       working tree. A snapshot is prepared, mounted, used, unmounted and removed; {@link #diff}
 *       turns the changes it holds into a layer tar.</dd>
 *   <dt>key</dt>
 *   <dd>The engine's name for an active snapshot: 1 to 128 characters from
 *       {@code [A-Za-z0-9_.-]}, starting with a letter or digit (a container id qualifies). Keys
 *       and chain ids are separate namespaces.</dd>
 *   <dt>mount</dt>
 *   <dd>The kernel mount that makes a snapshot's merged tree visible at its
 *       {@linkplain Snapshot#rootfs() rootfs} path, described by a {@link Mount}.</dd>
 * </dl>
 *
 * <h2>Lifecycle: pulling and unpacking an image</h2>
 * <ol>
 *   <li>The engine downloads the image's layer blobs (see {@link ImageRegistry}) and computes the
 *       chain ids from the config's diff ids.</li>
 *   <li>For each layer from the bottom up it asks {@link #hasLayer(String)}; for each absent one
 *       it calls {@link #applyLayer(String, String, InputStream)} with the chain id, the parent
 *       chain id ({@code null} for the bottom layer) and the decompressed blob. The engine digests
 *       the bytes as the driver reads them and compares with the diff id; the driver reads the
 *       stream to its end so that the engine sees every byte.</li>
 *   <li>The driver converts OCI whiteouts ({@code .wh.name}, {@code .wh..wh..opq}) to what its
 *       filesystem understands (for overlayfs: 0/0 character devices and the
 *       {@code trusted.overlay.opaque} attribute), and refuses hostile tars.</li>
 * </ol>
 *
 * <h2>Lifecycle: preparing and running a container root</h2>
 * <ol>
 *   <li>{@link #prepare(String, String)} with the container id as key and the image's top chain id
 *       as parent creates an active snapshot and tells the engine where its root will appear
 *       ({@link Snapshot#rootfs()}); the engine writes that path into the bundle's
 *       {@code config.json}.</li>
 *   <li>{@link #mount(String)} just before the runtime creates the container; the runtime then
 *       runs the container on that tree. Mounting a mounted snapshot is a no-op.</li>
 *   <li>{@link #unmount(String)} after the container stopped; {@link #removeSnapshot(String)} when
 *       the container is removed (it unmounts first if needed). Layers are removed with
 *       {@link #removeLayer(String)} when no image uses them any more.</li>
 * </ol>
 *
 * <h2>Lifecycle: a build step, and pushing its layer</h2>
 * <ol>
 *   <li>A {@code RUN} step prepares a snapshot on the previous step's chain id, mounts it and runs
 *       the command in it through the {@link ContainerRuntime}.</li>
 *   <li>{@link #diff(String, OutputStream)} writes the snapshot's changes as an uncompressed OCI
 *       layer tar; the engine digests it (the new diff id), compresses it into a blob and stores
 *       it for a later push.</li>
 *   <li>The engine makes the new layer available to the next step by
 *       {@link #applyLayer applying} the tar it just wrote. Then it removes the snapshot.</li>
 * </ol>
 *
 * <h2>Hostile layers</h2>
 * {@link #applyLayer} refuses, with a {@link StorageException} of reason
 * {@link StorageException.Reason#HOSTILE_CONTENT} naming the entry, and leaves nothing behind: an
 * entry whose name is absolute or climbs out with {@code ..}; an entry that would be written
 * through a symbolic link; a hard link whose target is outside the layer; a whiteout that names
 * something outside its own directory; a device node or fifo placed outside the layer; an entry of
 * a type the driver does not know. Device nodes inside the layer are kept, as Docker keeps them
 * (containers cannot open them unless their device rules allow); a driver may offer an option to
 * refuse them.
 *
 * <h2>Restarts</h2>
 * Everything the driver knows survives a daemon restart (it lives in the plugin's data
 * directory). Mounts survive too; after a host reboot {@link #listSnapshots()} reports snapshots
 * as not mounted, and the engine mounts them again before it restarts their containers.
 *
 * <p>Implementations are safe for concurrent use. Operations on different keys and chain ids run
 * in parallel; the engine does not call two mutating operations on the same key at once.
 */
public interface StorageDriver extends BerthExtension {

    /**
     * Checks whether the driver can work on this host: kernel support, the filesystem under the
     * plugin's data directory, privileges. Leaves no mount and no file behind, even when a check
     * fails. Safe to call at any time after {@link #initialize}.
     *
     * @return the checks and their results
     */
    Probe probe();

    /**
     * Unpacks a layer tar as a committed layer.
     *
     * <p>The stream is read to its end but not closed, and it is read to its end <em>before</em> the
     * layer becomes visible: the engine checks the layer's digest (its diff id) at the end of the
     * stream and fails that last read when it does not match, and a failed read must leave no layer
     * and nothing else behind. If the layer is already present the stream is still read to its end,
     * nothing changes, and the present layer is returned: applying is idempotent, so two concurrent
     * pulls of the same layer are harmless.
     *
     * @param chainId       the chain id of the new layer
     * @param parentChainId the chain id of the layer below, which must be present; {@code null}
     *                      for the bottom layer
     * @param uncompressedTar the layer as an uncompressed tar with OCI whiteouts
     * @return the committed layer
     * @throws StorageException {@link StorageException.Reason#NOT_FOUND} if the parent is absent,
     *                          {@link StorageException.Reason#HOSTILE_CONTENT} naming the entry if
     *                          the tar is refused, {@link StorageException.Reason#IO} otherwise
     * @throws IllegalArgumentException if a chain id is malformed
     */
    LayerInfo applyLayer(String chainId, String parentChainId, InputStream uncompressedTar) throws StorageException;

    /**
     * Whether a committed layer is present. Cheap; no I/O beyond a file-system lookup.
     *
     * @param chainId a chain id
     * @return {@code true} if {@link #applyLayer} completed for it and it was not removed
     * @throws IllegalArgumentException if the chain id is malformed
     */
    boolean hasLayer(String chainId);

    /**
     * Describes a committed layer.
     *
     * @param chainId a chain id
     * @return the layer, or empty if it is absent
     * @throws StorageException if the driver's records cannot be read
     * @throws IllegalArgumentException if the chain id is malformed
     */
    Optional<LayerInfo> layer(String chainId) throws StorageException;

    /**
     * Lists the committed layers, in no particular order.
     *
     * @return every committed layer
     * @throws StorageException if the driver's records cannot be read
     */
    List<LayerInfo> listLayers() throws StorageException;

    /**
     * Removes a committed layer. Removing an absent layer does nothing.
     *
     * @param chainId a chain id
     * @throws StorageException {@link StorageException.Reason#IN_USE} if another layer or a
     *                          snapshot sits on it
     * @throws IllegalArgumentException if the chain id is malformed
     */
    void removeLayer(String chainId) throws StorageException;

    /**
     * Creates an active snapshot: an empty writable layer over a parent chain. Does not mount it.
     *
     * @param key           the engine's name for the snapshot (a container id, a build step id)
     * @param parentChainId the chain id it sits on, which must be present; {@code null} for an
     *                      empty root ({@code FROM scratch})
     * @return the snapshot, not mounted, with the path where its root will appear
     * @throws StorageException {@link StorageException.Reason#ALREADY_EXISTS} if the key is taken,
     *                          {@link StorageException.Reason#NOT_FOUND} if the parent is absent
     * @throws IllegalArgumentException if the key or chain id is malformed
     */
    Snapshot prepare(String key, String parentChainId) throws StorageException;

    /**
     * Describes an active snapshot.
     *
     * @param key a snapshot key
     * @return the snapshot, or empty if there is none under that key
     * @throws StorageException if the driver's records cannot be read
     */
    Optional<Snapshot> snapshot(String key) throws StorageException;

    /**
     * Lists the active snapshots, in no particular order, each saying whether it is mounted now.
     *
     * @return every active snapshot
     * @throws StorageException if the driver's records cannot be read
     */
    List<Snapshot> listSnapshots() throws StorageException;

    /**
     * Mounts a snapshot's merged tree at its {@linkplain Snapshot#rootfs() rootfs} path. Mounting
     * a mounted snapshot returns the current mount.
     *
     * @param key a snapshot key
     * @return what was mounted where
     * @throws StorageException {@link StorageException.Reason#NOT_FOUND} if there is no such
     *                          snapshot, {@link StorageException.Reason#IO} naming the kernel's
     *                          error if the mount fails
     */
    Mount mount(String key) throws StorageException;

    /**
     * Unmounts a snapshot. Unmounting an unmounted snapshot does nothing.
     *
     * @param key a snapshot key
     * @throws StorageException {@link StorageException.Reason#NOT_FOUND} if there is no such
     *                          snapshot, {@link StorageException.Reason#IN_USE} if the mount is
     *                          busy
     */
    void unmount(String key) throws StorageException;

    /**
     * Writes the changes a snapshot holds relative to its parent chain as an uncompressed OCI
     * layer tar: added and changed files, {@code .wh.name} for each deleted path and
     * {@code .wh..wh..opq} for each directory replaced wholesale. Entries are sorted by name and
     * carry numeric owners only, so the same tree always gives the same bytes. The snapshot may be
     * mounted or not; the stream is not closed.
     *
     * @param key    a snapshot key
     * @param tarOut where to write the tar
     * @throws StorageException {@link StorageException.Reason#NOT_FOUND} if there is no such
     *                          snapshot, {@link StorageException.Reason#IO} on a read or write error
     */
    void diff(String key, OutputStream tarOut) throws StorageException;

    /**
     * Like {@link #diff(String, OutputStream)}, with every time later than {@code clampTimesTo}
     * written as {@code clampTimesTo} (BuildKit's {@code SOURCE_DATE_EPOCH} rule), so that a build
     * step that ran at a different moment still gives the same layer. Times are whole seconds.
     *
     * <p>The default implementation handles {@code null} (no clamp) by calling
     * {@link #diff(String, OutputStream)} and refuses a clamp with
     * {@link StorageException.Reason#UNSUPPORTED}; drivers override it.
     *
     * @param key          a snapshot key
     * @param tarOut       where to write the tar
     * @param clampTimesTo the latest time to write, or {@code null} to keep times as they are
     * @throws StorageException as {@link #diff(String, OutputStream)}, or
     *                          {@link StorageException.Reason#UNSUPPORTED} if the driver cannot clamp
     */
    default void diff(String key, OutputStream tarOut, Instant clampTimesTo) throws StorageException {
        if (clampTimesTo == null) {
            diff(key, tarOut);
            return;
        }
        throw new StorageException(StorageException.Reason.UNSUPPORTED,
                "diff " + key + ": the " + name() + " storage driver cannot clamp times in a diff");
    }

    /**
     * Removes a snapshot and everything written into it, unmounting it first if needed. Removing
     * an absent snapshot does nothing.
     *
     * @param key a snapshot key
     * @throws StorageException {@link StorageException.Reason#IN_USE} if it is mounted and the
     *                          mount is busy
     */
    void removeSnapshot(String key) throws StorageException;
}
