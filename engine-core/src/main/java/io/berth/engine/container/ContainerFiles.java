package io.berth.engine.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.spi.fs.SafeFile;
import io.berth.spi.fs.SafeFsException;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.fs.Sys;
import io.berth.spi.fs.TarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * {@code docker cp}: files out of and into a container's filesystem as tar streams, through a
 * {@link SafeRoot} on the container's view ({@link ContainerView}: its root with its volumes, binds and,
 * while it runs, its tmpfs). Every path is resolved inside that root as the container would see it, and
 * every read and write is on the descriptor that resolution gave, never a path reopened by name: a link
 * to {@code /etc} or {@code ../../..}, even one a running container swaps in meanwhile, never reaches
 * the host. Symlinks met while copying are copied as links, never followed.
 */
public final class ContainerFiles {
    /** Go's {@code os.FileMode} bits in Docker's path-stat header. */
    private static final long MODE_DIR = 1L << 31;
    private static final long MODE_SYMLINK = 1L << 27;
    private static final long MODE_DEVICE = 1L << 26;
    private static final long MODE_PIPE = 1L << 25;
    private static final long MODE_SOCKET = 1L << 24;
    private static final long MODE_SETUID = 1L << 23;
    private static final long MODE_SETGID = 1L << 22;
    private static final long MODE_CHAR = 1L << 21;
    private static final long MODE_STICKY = 1L << 20;

    private ContainerFiles() {}

    /**
     * Docker's {@code X-Docker-Container-Path-Stat} header: base64 JSON of name, size, mode, mtime and
     * linkTarget, the last fully resolved inside the container (what {@code docker cp -L} then asks for).
     */
    public static String pathStat(SafeRoot root, String containerPath, ObjectMapper mapper) throws IOException {
        Sys.Stat st = existing(root, containerPath);
        KernelFiles.of(root).refuse(st, containerPath);
        ObjectNode stat = mapper.createObjectNode();
        stat.put("name", baseName(containerPath));
        stat.put("size", st.size());
        stat.put("mode", goMode(st));
        stat.put("mtime", Instant.ofEpochSecond(st.mtimeSec(), st.mtimeNsec()).toString());
        stat.put("linkTarget", st.isSymlink() ? ContainerPaths.resolve(root, containerPath) : "");
        return Base64.getEncoder().encodeToString(mapper.writeValueAsBytes(stat));
    }

    /**
     * {@code docker export}: the whole filesystem as one tar, entries named from the root without a prefix
     * ({@code bin/}, {@code etc/passwd}); the kernel's file systems show as empty directories, as in a copy.
     */
    public static void exportTree(SafeRoot root, OutputStream out) throws IOException {
        KernelFiles kernel = KernelFiles.of(root);
        TarWriter tar = new TarWriter(out);
        List<String> children = new ArrayList<>(root.list("/"));
        children.sort(null);
        for (String child : children) {
            Sys.Stat st = root.lstat("/" + child);
            if (st != null) {
                writeTree(root, "/" + child, child, st, tar, kernel);
            }
        }
        tar.finish();
        out.flush();
    }

    /**
     * Writes {@code containerPath} (a file, a link, or a directory tree) as a tar whose entries are named
     * after the path's last component, as Docker's daemon names them.
     */
    public static void copyOut(SafeRoot root, String containerPath, OutputStream out) throws IOException {
        Sys.Stat top = existing(root, containerPath);
        KernelFiles kernel = KernelFiles.of(root);
        kernel.refuse(top, containerPath);
        String start = followsLast(containerPath) ? ContainerPaths.resolve(root, containerPath) : ContainerPaths.clean(containerPath);
        String name = baseName(containerPath);
        if (name.equals("/") || name.equals(".")) {
            name = start.equals("/") ? "rootfs" : start.substring(start.lastIndexOf('/') + 1);
        }
        TarWriter tar = new TarWriter(out);
        writeTree(root, start, name, top, tar, kernel);
        tar.finish();
        out.flush();
    }

    /**
     * One entry, and below a directory every entry of its tree, depth first in name order. Each is looked
     * at and opened afresh from the root: a directory swapped for a link meanwhile is entered, if at all,
     * inside the container. What vanished or changed its kind meanwhile is left out.
     */
    private static void writeTree(SafeRoot root, String path, String name, Sys.Stat st, TarWriter tar,
                                  KernelFiles kernel) throws IOException {
        boolean kernelFiles = kernel.holds(st);
        if (kernelFiles && !st.isDir()) {
            return;
        }
        if (st.isRegular()) {
            SafeFile file;
            try {
                file = root.openRead(path, false);
            } catch (SafeFsException e) {
                return; // replaced by something else since it was looked at
            }
            try (file) {
                Sys.Stat opened = file.stat(); // the size and owner of what is read, not of what was looked at
                if (kernel.holds(opened)) {
                    return; // a directory on the way was swapped for a link into /proc or /sys meanwhile
                }
                tar.regularFile(name, opened.mode() & 07777, opened.uid(), opened.gid(), opened.mtimeSec(), opened.size());
                copyExactly(file, tar, opened.size());
            }
        } else if (st.isSymlink()) {
            String target;
            try {
                target = root.readlink(path);
            } catch (SafeFsException e) {
                return;
            }
            tar.symlink(name, target, st.mode() & 07777, st.uid(), st.gid(), st.mtimeSec());
        } else if (st.isDir()) {
            tar.directory(name, st.mode() & 07777, st.uid(), st.gid(), st.mtimeSec());
            if (kernelFiles) {
                return; // /proc, /sys: the directory, empty, as in Docker's copy
            }
            List<String> children;
            try {
                children = new ArrayList<>(root.list(path));
            } catch (SafeFsException e) {
                return;
            }
            children.sort(null);
            for (String child : children) {
                String childPath = path.equals("/") ? "/" + child : path + "/" + child;
                Sys.Stat cst = root.lstat(childPath);
                if (cst != null) {
                    writeTree(root, childPath, name + "/" + child, cst, tar, kernel);
                }
            }
        }
        // devices, fifos and sockets are not copied: their contents are never read
    }

    /** Exactly {@code size} bytes: a file that grew is cut, one that shrank is padded, so the tar stays whole. */
    private static void copyExactly(SafeFile file, TarWriter out, long size) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            int n = file.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                java.util.Arrays.fill(buffer, (byte) 0);
                while (left > 0) {
                    int pad = (int) Math.min(buffer.length, left);
                    out.write(buffer, 0, pad);
                    left -= pad;
                }
                return;
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    /**
     * Extracts a tar into the directory {@code containerPath}. Each entry is placed by resolving its name
     * inside the container's root, so neither absolute names nor symlinks (in the container, or earlier in
     * the tar) place anything outside it; a name that climbs above the directory with {@code ..} is refused,
     * as Docker refuses it.
     */
    public static void copyIn(SafeRoot root, String containerPath, InputStream tarStream) throws IOException {
        Sys.Stat target = root.stat(containerPath);
        if (target == null || !target.isDir()) {
            throw ContainerException.notFound("Could not find the file " + containerPath + " in container: not a directory");
        }
        KernelFiles kernel = KernelFiles.of(root);
        if (kernel.holds(target)) {
            throw ContainerException.invalid("refusing to copy into " + containerPath + ": the kernel's files under /proc and /sys are not written");
        }
        // the directory, resolved once: entries are placed under the directory the path named when the copy began
        String base = ContainerPaths.resolve(root, containerPath);
        String prefix = base.equals("/") ? "/" : base + "/";
        List<String[]> directories = new ArrayList<>();
        // not closed here: the caller reads what the client still sends after the end-of-archive blocks
        TarArchiveInputStream tar = new TarArchiveInputStream(tarStream);
        try {
            TarArchiveEntry entry;
            while ((entry = next(tar)) != null) {
                String name = entryName(entry.getName());
                if (name.isEmpty()) {
                    continue; // "." or "./": the directory itself
                }
                String path = prefix + name;
                if (!kernel.devices().isEmpty()) {
                    // an earlier entry or the container may have made a link into /proc or /sys on the way
                    Sys.Stat parent = root.stat(path.substring(0, path.lastIndexOf('/') + 1));
                    if (kernel.holds(parent)) {
                        throw ContainerException.invalid("refusing tar entry " + entry.getName() + ": it leads into the kernel's files under /proc or /sys");
                    }
                }
                SafeRoot.Meta meta = SafeRoot.Meta.of((int) entry.getLongUserId(), (int) entry.getLongGroupId(),
                        entry.getMode() & 07777, entry.getModTime().toInstant().getEpochSecond(), 0);
                if (entry.isDirectory()) {
                    root.mkdir(path, entry.getMode() & 07777);
                    directories.add(new String[] {path, Long.toString(meta.mtimeSec())});
                    root.setMeta(path, SafeRoot.Meta.of(meta.uid(), meta.gid(), meta.mode(), SafeRoot.Meta.KEEP_TIME, 0));
                    continue;
                } else if (entry.isSymbolicLink()) {
                    root.symlink(path, entry.getLinkName());
                } else if (entry.isLink()) {
                    String linked = entryName(entry.getLinkName());
                    if (linked.isEmpty()) {
                        throw ContainerException.invalid("refusing tar entry " + entry.getName() + ": a hard link to the destination directory");
                    }
                    root.hardlink(path, prefix + linked);
                } else if (entry.isFile()) {
                    try (SafeFile file = root.create(path, entry.getMode() & 07777)) {
                        file.writeFrom(tar);
                    }
                } else {
                    continue; // devices and fifos are not created by a copy
                }
                root.setMeta(path, meta);
            }
        } catch (IllegalArgumentException e) {
            throw ContainerException.invalid("the body is not a tar archive: " + e.getMessage());
        }
        // directories get their times last: creating their entries changed them
        for (int i = directories.size() - 1; i >= 0; i--) {
            String[] d = directories.get(i);
            root.setMeta(d[0], SafeRoot.Meta.of(SafeRoot.Meta.KEEP, SafeRoot.Meta.KEEP, SafeRoot.Meta.KEEP, Long.parseLong(d[1]), 0));
        }
    }

    /** The next entry; a body that is no tar (or is cut) is the client's error, in one line. */
    private static TarArchiveEntry next(TarArchiveInputStream tar) throws ContainerException {
        try {
            return tar.getNextEntry();
        } catch (IOException e) {
            throw ContainerException.invalid("the body is not a tar archive: " + e.getMessage());
        }
    }

    /**
     * A tar entry's name relative to the destination: a leading {@code /} and {@code .} components dropped,
     * {@code ..} taken lexically; one that climbs above the destination is refused (one line naming it).
     */
    static String entryName(String raw) throws ContainerException {
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (String part : raw.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw ContainerException.invalid("refusing tar entry " + raw + ": it climbs out of the destination directory");
                }
                parts.removeLast();
                continue;
            }
            parts.addLast(part);
        }
        return String.join("/", parts);
    }

    /**
     * The kernel's file systems mounted in a running container's view ({@code /proc}, {@code /sys},
     * {@code /sys/fs/cgroup}): cp never reads or writes in them, as Docker's cp (which sees only the root
     * filesystem and the volumes) never does — the daemon would read and write with more privilege than the
     * container has. Their mount points show as empty directories. None in a stopped container's view, where
     * these are the root filesystem's own directories.
     */
    record KernelFiles(java.util.Set<Long> devices, java.util.Set<String> mountPoints) {
        static KernelFiles of(SafeRoot root) throws IOException {
            java.util.Set<Long> devices = new java.util.HashSet<>();
            java.util.Set<String> mountPoints = new java.util.HashSet<>();
            Sys.Stat top = root.lstat("/");
            for (String path : List.of("/proc", "/sys", "/sys/fs/cgroup")) {
                Sys.Stat st = root.lstat(path);
                if (top != null && st != null && st.isDir() && st.dev() != top.dev()) {
                    devices.add(st.dev());
                    mountPoints.add(st.dev() + ":" + st.ino());
                }
            }
            return new KernelFiles(devices, mountPoints);
        }

        /** Whether {@code st} is on one of them. */
        boolean holds(Sys.Stat st) {
            return st != null && devices.contains(st.dev());
        }

        /** Whether {@code st} is one of their mount points (copied as an empty directory). */
        boolean isMountPoint(Sys.Stat st) {
            return st != null && mountPoints.contains(st.dev() + ":" + st.ino());
        }

        /** Refuses a path on one of them, but for a mount point itself. */
        void refuse(Sys.Stat st, String containerPath) throws ContainerException {
            if (holds(st) && !isMountPoint(st)) {
                throw ContainerException.notFound("Could not find the file " + containerPath
                        + " in container: the kernel's files under /proc and /sys are not copied");
            }
        }
    }

    /**
     * Runs a copy, turning a refusal of the safe root into Docker's answer: a path that is not there (or
     * went away or changed meanwhile) 404, a bad name, an escape or a wrong kind of file 400, one line naming
     * the path.
     */
    static <T> T answering(ContainerService.ViewTask<T> task, SafeRoot root) throws IOException {
        try {
            return task.run(root);
        } catch (SafeFsException e) {
            throw switch (e.reason()) {
                case NOT_FOUND, NOT_DIRECTORY -> ContainerException.notFound("Could not find the file in container: " + e.getMessage());
                case IO -> ContainerException.internal(e.getMessage());
                default -> ContainerException.invalid(e.getMessage());
            };
        } catch (Sys.SysException e) {
            // a call on the way met a tree the container changed meanwhile (a link that stopped being one, a
            // directory gone): the path is not there as it was named
            if (e.errno == Sys.ENOENT || e.errno == Sys.ENOTDIR || e.errno == Sys.EINVAL) {
                throw ContainerException.notFound("Could not find the file in container: " + e.getMessage() + " (it changed during the copy)");
            }
            throw ContainerException.internal(e.getMessage());
        }
    }

    /** The stat of the path: its last component followed when the path ends in {@code /} or {@code /.}, as Docker. */
    private static Sys.Stat existing(SafeRoot root, String containerPath) throws IOException {
        Sys.Stat st = followsLast(containerPath) ? root.stat(containerPath) : root.lstat(containerPath);
        if (st == null) {
            throw ContainerException.notFound("Could not find the file " + containerPath + " in container");
        }
        return st;
    }

    /** A path ending in "/" or "/." means the directory a link points to; otherwise a link is the link itself. */
    private static boolean followsLast(String containerPath) {
        return containerPath.endsWith("/") || containerPath.endsWith("/.") || containerPath.equals(".");
    }

    /** The last component of the path as given ({@code filepath.Base}): "/" for the root. */
    private static String baseName(String containerPath) {
        String p = containerPath;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.equals("/") || p.isEmpty()) {
            return "/";
        }
        return p.substring(p.lastIndexOf('/') + 1);
    }

    private static long goMode(Sys.Stat st) {
        long mode = st.mode() & 0777;
        mode |= switch (st.type()) {
            case Sys.S_IFDIR -> MODE_DIR;
            case Sys.S_IFLNK -> MODE_SYMLINK;
            case Sys.S_IFIFO -> MODE_PIPE;
            case Sys.S_IFSOCK -> MODE_SOCKET;
            case Sys.S_IFBLK -> MODE_DEVICE;
            case Sys.S_IFCHR -> MODE_DEVICE | MODE_CHAR;
            default -> 0L;
        };
        if ((st.mode() & 04000) != 0) {
            mode |= MODE_SETUID;
        }
        if ((st.mode() & 02000) != 0) {
            mode |= MODE_SETGID;
        }
        if ((st.mode() & 01000) != 0) {
            mode |= MODE_STICKY;
        }
        return mode;
    }

    /** Processes of a container as the host's {@code ps} shows them, kept to the pids the runtime found in its cgroup. */
    public static Map<String, Object> top(java.util.Collection<Long> containerPids, String psArgs) throws IOException {
        Set<String> pids = new java.util.HashSet<>();
        containerPids.forEach(pid -> pids.add(Long.toString(pid)));
        List<String> command = new ArrayList<>(List.of("ps"));
        command.addAll(List.of((psArgs == null || psArgs.isBlank() ? "-ef" : psArgs).strip().split("\\s+")));
        Process ps = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (ps.waitFor() != 0) {
                throw ContainerException.invalid("ps " + String.join(" ", command.subList(1, command.size())) + " failed: "
                        + output.lines().findFirst().orElse(""));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ContainerException.internal("interrupted while listing processes");
        }
        List<String> lines = output.lines().toList();
        if (lines.isEmpty()) {
            throw ContainerException.internal("ps printed nothing");
        }
        List<String> titles = List.of(lines.getFirst().strip().split("\\s+"));
        int pidColumn = titles.indexOf("PID");
        if (pidColumn < 0) {
            throw ContainerException.invalid("Couldn't find PID field in ps output");
        }
        List<List<String>> processes = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.strip().split("\\s+", titles.size());
            if (fields.length > pidColumn && pids.contains(fields[pidColumn])) {
                processes.add(List.of(fields));
            }
        }
        return Map.of("Titles", titles, "Processes", processes);
    }
}
