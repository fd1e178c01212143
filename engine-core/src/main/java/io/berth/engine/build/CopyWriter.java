package io.berth.engine.build;

import io.berth.engine.container.ImageUsers;
import io.berth.spi.fs.SafeFile;
import io.berth.spi.fs.SafeFsException;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.fs.Sys;
import io.berth.spi.fs.TreeCopy;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.CompressorException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/**
 * Performs a planned COPY or ADD on a mounted snapshot, with Docker's rules: a directory's contents
 * are copied, not the directory; a relative destination is under the working directory; files are
 * owned by 0:0 unless {@code --chown} (names resolved in the image's own /etc/passwd and /etc/group),
 * as are the parent directories the copy creates; a destination that is a symbolic link is followed
 * inside the rootfs; ADD unpacks a local tar archive. Every write goes through {@link SafeRoot}.
 */
final class CopyWriter {
    private CopyWriter() {}

    /**
     * One resolved source.
     *
     * @param path        where it is on the host
     * @param name        its base name, for a file copied into a directory
     * @param directory   a directory: its contents are copied
     * @param archive     an ADD of a local tar archive: unpacked
     * @param mtimeMillis the modification time to give it, -1 to keep its own
     * @param defaultMode the mode to give it when no {@code --chmod} does (a heredoc, a download), null to keep its own
     * @param origin      where it came from, as the cache key and the history name it
     */
    record Source(Path path, String name, boolean directory, boolean archive, long mtimeMillis, Integer defaultMode,
                  String origin) {
    }

    /**
     * A COPY or ADD as planned.
     *
     * @param keyword     COPY or ADD, for messages
     * @param sources     the sources, in order
     * @param sourceTree  the tree the sources were found in (the context, another stage's or an image's files)
     * @param parentDirs  for {@code COPY --parents}: the directories kept above each source (by identity)
     * @param destination the destination in the image, clean and absolute
     * @param chown       the {@code --chown} spec, null for root
     * @param chmod       the {@code --chmod} mode, null to keep the sources' modes
     * @param intoDir     the destination is a directory (ends in {@code /}, several sources, or {@code --parents})
     */
    record Copy(String keyword, List<Source> sources, Path sourceTree, Map<Source, String> parentDirs, String destination,
                String chown, Integer chmod, boolean intoDir) {
    }

    /** Writes the copy's sources into a mounted snapshot's root. */
    static void write(Copy copy, Path rootfs) throws IOException {
        int uid = 0;
        int gid = 0;
        if (copy.chown() != null) {
            int[] ids = owner(rootfs, copy.chown());
            uid = ids[0];
            gid = ids[1];
        }
        try (SafeRoot target = SafeRoot.open(rootfs, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            for (Source source : copy.sources()) {
                try (SafeRoot sourceRoot = sourceRoot(source, copy.sourceTree())) {
                    String under = copy.parentDirs().get(source); // COPY --parents
                    String sourceDestination = under == null || under.isEmpty() ? copy.destination()
                            : (copy.destination().equals("/") ? "" : copy.destination()) + "/" + under;
                    copyInto(copy.keyword(), target, sourceRoot, relative(source, copy.sourceTree()), source, sourceDestination,
                            copy.intoDir() || under != null, uid, gid, copy.chown() != null, copy.chmod());
                } catch (SafeFsException e) {
                    throw new BuildException(copy.keyword() + " failed: " + source.origin() + ": " + e.getMessage());
                }
            }
        }
    }

    /** {@code --chown=user[:group]}: names looked up in the image's /etc/passwd and /etc/group; a user alone sets both ids. */
    private static int[] owner(Path rootfs, String spec) throws IOException {
        String user = spec;
        String group = null;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            user = spec.substring(0, colon);
            group = spec.substring(colon + 1);
        }
        try {
            ImageUsers.Identity u = ImageUsers.resolve(rootfs, user);
            int uid = u.uid();
            int gid = uid;
            if (group != null && !group.isEmpty()) {
                gid = ImageUsers.resolve(rootfs, "0:" + group).gid();
            } else if (!user.matches("[0-9]+")) {
                gid = u.gid();
            }
            return new int[]{uid, gid};
        } catch (IllegalArgumentException e) {
            throw new BuildException("unable to convert uid/gid chown string to host mapping: " + e.getMessage());
        }
    }

    private static void copyInto(String keyword, SafeRoot target, SafeRoot from, String fromRel, Source source, String destination,
                                 boolean intoDir, int uid, int gid, boolean chown, Integer chmod) throws IOException {
        TreeCopy.Rules rules = new TreeCopy.Rules(uid, gid, chmod != null ? chmod : TreeCopy.Rules.KEEP, true);
        if (source.directory()) {
            mkdirs(target, destination, chown, uid, gid);
            TreeCopy.copyContents(from, fromRel.isEmpty() ? "/" : fromRel, target, destination, rules);
            return;
        }
        if (source.archive()) {
            // --chown does not reach an archive at all: Docker's builder makes the destination root's and
            // keeps the owners the entries name
            mkdirs(target, destination);
            try (SafeFile archive = from.openRead(fromRel, true)) {
                extract(target, archive.inputStream(), source.path().getFileName().toString(), destination, -1, -1);
            }
            return;
        }
        String name = destination;
        Sys.Stat there = target.stat(destination);
        if (intoDir || (there != null && there.isDir())) {
            name = destination.equals("/") ? "/" + source.name() : destination + "/" + source.name();
        }
        name = followLinks(target, name);
        int parentEnd = name.lastIndexOf('/');
        mkdirs(target, parentEnd <= 0 ? "/" : name.substring(0, parentEnd), chown, uid, gid);
        Sys.Stat existing = target.lstat(name);
        if (existing != null && existing.isDir()) {
            throw new BuildException(keyword + " failed: cannot overwrite directory " + name + " with a file");
        }
        Integer mode = chmod != null ? chmod : source.defaultMode();
        TreeCopy.copy(from, fromRel, target, name, new TreeCopy.Rules(uid, gid, mode != null ? mode : TreeCopy.Rules.KEEP, true));
        if (source.mtimeMillis() >= 0) {
            long ms = source.mtimeMillis();
            target.setMeta(name, new SafeRoot.Meta(SafeRoot.Meta.KEEP, SafeRoot.Meta.KEEP, SafeRoot.Meta.KEEP,
                    Math.floorDiv(ms, 1000), (int) Math.floorMod(ms, 1000) * 1_000_000, Map.of()));
        }
    }

    /**
     * A destination that is a symbolic link names where it points, as Docker's builder resolves the whole
     * destination in the image's scope: {@code COPY f /l} with {@code /l -> /etc/motd} writes
     * {@code /etc/motd} and leaves the link. Resolved within the rootfs, at most 40 links deep.
     */
    private static String followLinks(SafeRoot target, String name) throws IOException {
        String path = name;
        for (int depth = 0; depth < 40; depth++) {
            Sys.Stat st = target.lstat(path);
            if (st == null || !st.isSymlink()) {
                return path;
            }
            String link = target.readlink(path);
            String parent = path.substring(0, Math.max(0, path.lastIndexOf('/')));
            path = BuildExecution.clean(link.startsWith("/") ? link : (parent.isEmpty() ? "/" : parent + "/") + link);
        }
        throw new BuildException("too many levels of symbolic links at " + name);
    }

    /**
     * Unpacks a local archive (tar, optionally gzip/bzip2/xz) into a directory of the rootfs,
     * every entry through {@link SafeRoot}: names with a NUL byte or that climb out are refused,
     * links are followed only inside the rootfs, hard links only to files already inside it.
     */
    static void extract(SafeRoot target, InputStream archive, String archiveName, String destination, int uid, int gid)
            throws IOException {
        InputStream raw = new BufferedInputStream(archive, 1 << 16);
        InputStream in = raw;
        raw.mark(16);
        try {
            String type = CompressorStreamFactory.detect(raw);
            in = new CompressorStreamFactory().createCompressorInputStream(type, raw);
        } catch (CompressorException e) {
            raw.reset(); // not compressed: a plain tar
        }
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            String name;
            try {
                SafeRoot.checkName(entry.getName());
                name = BuildContext.cleanSource(entry.getName());
            } catch (SafeFsException | BuildException e) {
                throw new BuildException("ADD failed: archive " + archiveName + ": entry " + SafeRoot.quote(entry.getName())
                        + (e instanceof SafeFsException f ? f.getMessage().substring(f.getMessage().indexOf("\": ") + 2)
                        : " leaves the destination"));
            }
            if (name.isEmpty()) {
                continue;
            }
            String inContainer = destination.equals("/") ? "/" + name : destination + "/" + name;
            int owner = uid >= 0 ? uid : (int) entry.getLongUserId();
            int group = gid >= 0 ? gid : (int) entry.getLongGroupId();
            long ms = entry.getModTime().getTime();
            SafeRoot.Meta meta = new SafeRoot.Meta(owner, group, entry.getMode() & 07777,
                    Math.floorDiv(Math.max(0, ms), 1000), (int) Math.floorMod(Math.max(0, ms), 1000) * 1_000_000, Map.of());
            try {
                if (entry.isDirectory()) {
                    Sys.Stat st = target.stat(inContainer);
                    if (st == null || !st.isDir()) {
                        target.remove(inContainer);
                        target.mkdir(inContainer, 0755);
                    }
                    Sys.Stat itself = target.lstat(inContainer);
                    if (itself != null && itself.isDir()) {
                        target.setMeta(inContainer, meta);
                    }
                } else if (entry.isSymbolicLink()) {
                    target.symlink(inContainer, entry.getLinkName());
                    target.setMeta(inContainer, new SafeRoot.Meta(owner, group, SafeRoot.Meta.KEEP, SafeRoot.Meta.KEEP_TIME, 0, Map.of()));
                } else if (entry.isLink()) {
                    SafeRoot.checkName(entry.getLinkName());
                    String linkName = BuildContext.cleanSource(entry.getLinkName());
                    target.hardlink(inContainer, destination.equals("/") ? "/" + linkName : destination + "/" + linkName);
                } else if (entry.isFIFO()) {
                    // before isFile: Commons Compress counts a fifo (and a device) as a file too
                    target.remove(inContainer);
                    target.mknod(inContainer, Sys.S_IFIFO | 0600, 0, 0);
                    target.setMeta(inContainer, meta);
                } else if (entry.isCharacterDevice() || entry.isBlockDevice()) {
                    // as Docker's builder: the node is made (where the snapshot allows mknod), never opened
                    target.remove(inContainer);
                    target.mknod(inContainer, (entry.isCharacterDevice() ? Sys.S_IFCHR : Sys.S_IFBLK) | 0600,
                            entry.getDevMajor(), entry.getDevMinor());
                    target.setMeta(inContainer, meta);
                } else if (entry.isFile()) {
                    try (SafeFile f = target.create(inContainer, 0600)) {
                        f.writeFrom(tar);
                    }
                    target.setMeta(inContainer, meta);
                }
            } catch (SafeFsException e) {
                throw new BuildException("ADD failed: archive " + archiveName + ": entry " + SafeRoot.quote(entry.getName())
                        + ": " + e.getMessage());
            }
        }
    }

    /**
     * Creates the missing directories of a path in the rootfs, 0755, owned by the {@code --chown}
     * user when there is one (as Docker's builder: only the directories it creates), else by root.
     */
    private static void mkdirs(SafeRoot rootfs, String containerPath, boolean chown, int uid, int gid) throws IOException {
        if (!chown) {
            mkdirs(rootfs, containerPath);
            return;
        }
        StringBuilder path = new StringBuilder();
        for (String part : containerPath.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            path.append('/').append(part);
            String current = path.toString();
            if (rootfs.stat(current) == null) {
                mkdirs(rootfs, current);
                rootfs.setMeta(current, new SafeRoot.Meta(uid, gid, SafeRoot.Meta.KEEP, SafeRoot.Meta.KEEP_TIME, 0, Map.of()));
            }
        }
    }

    /** Creates the missing directories of a path in the rootfs (0755, root-owned, as Docker does). */
    private static void mkdirs(SafeRoot rootfs, String containerPath) throws IOException {
        try {
            rootfs.mkdirs(containerPath, 0755);
        } catch (SafeFsException e) {
            if (e.reason() == SafeFsException.Reason.NOT_DIRECTORY) {
                throw new BuildException("cannot create directory " + containerPath + ": a file is in the way");
            }
            throw e;
        }
    }
    /**
     * The root a source is read through: the tree it was found in (the context, another stage's or
     * an image's files), or, for a heredoc or a download in the build's scratch directory, its own directory.
     */
    static SafeRoot sourceRoot(Source source, Path tree) throws IOException {
        Path root = source.path().startsWith(tree) ? tree : source.path().getParent();
        return SafeRoot.open(root, SafeRoot.Symlinks.FOLLOW_IN_ROOT);
    }

    /** A source's path relative to {@link #sourceRoot} ("" for the root itself). */
    static String relative(Source source, Path tree) {
        Path root = source.path().startsWith(tree) ? tree : source.path().getParent();
        return root.relativize(source.path()).toString();
    }
}
