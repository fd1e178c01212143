package io.berth.engine.container;

import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.engine.projection.Projections;
import io.berth.eventlog.PrivateFiles;
import io.berth.eventlog.events.VolumeEvent;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.fs.Sys;
import io.berth.spi.fs.TreeCopy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Local volumes: a directory {@code <root>/volumes/<name>/_data} each. Named volumes are created on
 * first use; a new, empty volume is filled from the image's content at its mount point, as Docker does.
 */
public final class VolumeService {
    private final Journal journal;
    private final Path directory;
    private volatile Predicate<String> inUse = name -> false;

    public VolumeService(Journal journal, Path root) {
        this.journal = journal;
        this.directory = root.resolve("volumes");
    }

    /** Tells the service which volumes containers use (they are not removed while used). */
    public void setInUse(Predicate<String> inUse) {
        this.inUse = inUse;
    }

    public Optional<ContainerState.VolumeRecord> find(String name) {
        return find(journal.projections(), name);
    }

    /** A volume as {@code view} (the live projections or a past state) has it. */
    public Optional<ContainerState.VolumeRecord> find(Projections view, String name) {
        return view.read(ContainerProjection.INSTANCE, s -> Optional.ofNullable(s.volumes.get(name)).map(VolumeService::copy));
    }

    public List<ContainerState.VolumeRecord> list() {
        return list(journal.projections());
    }

    /** Every volume as {@code view} (the live projections or a past state) has them. */
    public List<ContainerState.VolumeRecord> list(Projections view) {
        return view.read(ContainerProjection.INSTANCE, s -> s.volumes.values().stream().map(VolumeService::copy).toList());
    }

    private static ContainerState.VolumeRecord copy(ContainerState.VolumeRecord v) {
        ContainerState.VolumeRecord c = new ContainerState.VolumeRecord();
        c.name = v.name;
        c.driver = v.driver;
        c.mountpoint = v.mountpoint;
        c.labels.putAll(v.labels);
        c.anonymous = v.anonymous;
        c.createdAt = v.createdAt;
        return c;
    }

    /**
     * Creates a volume, or returns the existing one of that name.
     *
     * @return the volume and whether it was created now
     */
    public Created create(String name, Map<String, String> labels, boolean anonymous, RequestContext context) {
        String volumeName = name == null || name.isBlank() ? ContainerNames.newId() : name;
        VolumeDecider.checkName(volumeName); // a bad name is refused before anything is locked
        synchronized (this) {
            Path data = directory.resolve(volumeName).resolve("_data");
            Optional<VolumeEvent> created = decide(new VolumeCommand.CreateVolume(volumeName, data.toString(), labels, anonymous));
            if (created.isEmpty()) {
                return new Created(find(volumeName).orElseThrow(), false);
            }
            try {
                PrivateFiles.createDirectories(directory); // no other host user reaches a volume's data
                Files.createDirectories(data);
            } catch (IOException e) {
                throw new VolumeException(VolumeException.Kind.INTERNAL, "cannot create volume directory " + data + ": " + e.getMessage());
            }
            journal.record(context, created.get());
            return new Created(find(volumeName).orElseThrow(), true);
        }
    }

    private Optional<VolumeEvent> decide(VolumeCommand command) {
        return journal.projections().read(ContainerProjection.INSTANCE, state -> VolumeDecider.decide(command, state));
    }

    /**
     * A volume and whether this call created it.
     *
     * @param volume the volume
     * @param isNew  created by this call
     */
    public record Created(ContainerState.VolumeRecord volume, boolean isNew) {}

    /** Removes a volume and its data; refused while a container uses it, forced or not (Docker's 409). */
    public void remove(String name, boolean force, RequestContext context) {
        VolumeEvent removed = decide(new VolumeCommand.RemoveVolume(name, inUse.test(name))).orElseThrow();
        deleteTree(directory.resolve(name));
        journal.record(context, removed);
    }

    /** Whether a container (running or not) uses the volume. */
    public boolean inUse(String name) {
        return inUse.test(name);
    }

    /** Removes every volume no container uses (anonymous ones only unless {@code all}). */
    public List<String> prune(boolean all, RequestContext context) {
        return prune(all, v -> true, context);
    }

    /** As {@link #prune(boolean, RequestContext)}, for the volumes that also pass {@code filter} (labels). */
    public List<String> prune(boolean all, Predicate<ContainerState.VolumeRecord> filter, RequestContext context) {
        List<String> removed = new ArrayList<>();
        for (ContainerState.VolumeRecord volume : list()) {
            if ((all || volume.anonymous) && !inUse.test(volume.name) && filter.test(volume)) {
                remove(volume.name, false, context);
                removed.add(volume.name);
            }
        }
        return removed;
    }

    /**
     * Fills an empty volume with the image's content at the mount point, as Docker does: owners,
     * modes, times, links and device nodes kept. Read and written through {@link SafeRoot}: the
     * image's path is resolved inside the container's root (a link there never leads to the host),
     * nothing is written outside the volume, and a device's contents are never read.
     *
     * @param volumeData the volume's {@code _data} directory
     * @param rootfs the container's root filesystem
     * @param destination the mount point, as the container sees it
     */
    public static void populate(Path volumeData, Path rootfs, String destination) throws IOException {
        try (SafeRoot image = SafeRoot.open(rootfs, SafeRoot.Symlinks.FOLLOW_IN_ROOT);
             SafeRoot volume = SafeRoot.open(volumeData, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            Sys.Stat there = image.stat(destination);
            if (there == null || !there.isDir() || !volume.list("/").isEmpty()) {
                return;
            }
            TreeCopy.copyContents(image, destination, volume, "/", TreeCopy.Rules.preserving());
            // the volume's root takes the mount point's owner, mode and time, as Docker's copy-up does
            volume.setMeta("", new SafeRoot.Meta(there.uid(), there.gid(), there.mode() & 07777,
                    there.mtimeSec(), there.mtimeNsec(), java.util.Map.of()));
        }
    }

    /** Deletes a directory tree (a volume's data). */
    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new VolumeException(VolumeException.Kind.INTERNAL, "cannot delete " + root + ": " + e.getMessage());
        }
    }
}
