package io.berth.plugin.overlayfs;

import io.berth.spi.os.MountCalls;
import io.berth.spi.fs.MountTable;
import io.berth.spi.fs.Sys;
import io.berth.spi.storage.Mount;
import io.berth.spi.storage.StorageException;
import io.berth.spi.storage.StorageException.Reason;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Overlay mounts of snapshots: the mount options, the mount itself (through descriptors when the
 * options would not fit in a page), whether something is mounted (from {@link MountTable}), and an
 * unmount that waits out a transient EBUSY.
 */
final class OverlayMounts {

    /** The kernel takes mount options of at most one page, its last byte a NUL. */
    static final int MAX_MOUNT_DATA = 4095;

    private OverlayMounts() {
    }

    static boolean isMounted(Path mountPoint) {
        return MountTable.isMounted(mountPoint);
    }

    /**
     * Mounts an overlay at {@code merged} unless something is mounted there already.
     *
     * @param key    the snapshot's key, for messages
     * @param lowers the lower directories, top first (the layers' {@code l/} links)
     * @param dir    the snapshot's directory, holding {@code upper/} and {@code work/}
     * @return the mount, as the SPI describes it
     */
    static Mount mount(String key, Path merged, List<Path> lowers, Path dir) throws StorageException {
        List<String> options = options(lowers, dir.resolve("upper").toString(), dir.resolve("work").toString());
        Mount mount = new Mount(merged, "overlay", "overlay", options);
        if (isMounted(merged)) {
            return mount;
        }
        String data = mount.optionString();
        try {
            if (data.getBytes(StandardCharsets.UTF_8).length <= MAX_MOUNT_DATA) {
                MountCalls.mount("overlay", merged.toString(), "overlay", MountCalls.MS_NODEV, data);
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

    /** The overlay options: lower directories top first, then upper and work, then feature switches. */
    static List<String> options(List<?> lowers, String upper, String work) {
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
    private static void mountThroughDescriptors(String key, Path merged, List<Path> lowers, Path dir) throws IOException {
        List<Integer> fds = new ArrayList<>();
        try (Sys sys = new Sys()) {
            try {
                List<String> lowerFds = new ArrayList<>();
                for (Path lower : lowers) {
                    int fd = sys.open(StoreLayout.nativePath(lower), Sys.O_PATH | Sys.O_DIRECTORY, 0);
                    fds.add(fd);
                    lowerFds.add("/proc/self/fd/" + fd);
                }
                int upper = sys.open(StoreLayout.nativePath(dir.resolve("upper")), Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_NOFOLLOW, 0);
                fds.add(upper);
                int work = sys.open(StoreLayout.nativePath(dir.resolve("work")), Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_NOFOLLOW, 0);
                fds.add(work);
                String data = String.join(",", options(lowerFds, "/proc/self/fd/" + upper, "/proc/self/fd/" + work));
                if (data.length() > MAX_MOUNT_DATA) {
                    throw new StorageException(Reason.UNSUPPORTED, "mount " + key + ": the image has " + lowers.size()
                            + " layers; overlay's options for them take " + data.length() + " bytes even as descriptors, over the kernel's limit of "
                            + MAX_MOUNT_DATA + " (about " + (MAX_MOUNT_DATA - 200) / 19 + " layers at most)");
                }
                MountCalls.mount("overlay", merged.toString(), "overlay", MountCalls.MS_NODEV, data);
            } finally {
                for (int fd : fds) {
                    sys.closeQuietly(fd);
                }
            }
        }
    }

    /**
     * Unmounts {@code merged} if something is mounted there.
     *
     * @param op the operation, for messages
     * @throws StorageException {@link Reason#IN_USE} if a process still uses the mount
     */
    static void unmountIfMounted(String key, Path merged, String op) throws StorageException {
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
                MountCalls.umount2(merged.toString(), 0);
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
                MountCalls.umount2(merged.toString(), 0);
                return;
            }
        }
    }
}
