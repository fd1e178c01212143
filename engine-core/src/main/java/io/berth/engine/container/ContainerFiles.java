package io.berth.engine.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.api.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@code docker cp}: files out of and into a container's root filesystem as tar streams. Every
 * path is resolved inside the root as the container would see it ({@link RootfsPaths}), so a
 * symlink in the container that points at {@code /etc} or {@code ../../..} never reaches the host;
 * symlinks met while copying are copied as links, never followed.
 */
public final class ContainerFiles {
    private ContainerFiles() {}

    /** Docker's {@code X-Docker-Container-Path-Stat} header: base64 JSON of name, size, mode, mtime, linkTarget. */
    public static String pathStat(Path rootfs, String containerPath, ObjectMapper mapper) throws IOException {
        Path host = existing(rootfs, containerPath);
        PosixFileAttributes attributes = Files.readAttributes(host, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        ObjectNode stat = mapper.createObjectNode();
        stat.put("name", host.getFileName() == null ? "/" : host.getFileName().toString());
        stat.put("size", attributes.size());
        long mode = modeBits(attributes.permissions()) | (attributes.isDirectory() ? 0x80000000L : 0)
                | (attributes.isSymbolicLink() ? 0x08000000L : 0);
        stat.put("mode", mode);
        stat.put("mtime", attributes.lastModifiedTime().toInstant().toString());
        stat.put("linkTarget", attributes.isSymbolicLink() ? Files.readSymbolicLink(host).toString() : "");
        return Base64.getEncoder().encodeToString(mapper.writeValueAsBytes(stat));
    }

    /** Writes {@code containerPath} (a file or a directory tree) as a tar, named by its last component. */
    public static void copyOut(Path rootfs, String containerPath, OutputStream out) throws IOException {
        Path host = existing(rootfs, containerPath);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        String base = host.getFileName() == null ? "." : host.getFileName().toString();
        List<Path> paths;
        if (Files.isSymbolicLink(host)) {
            paths = List.of(host);
        } else {
            try (Stream<Path> walk = Files.walk(host)) {
                paths = walk.sorted().toList(); // Files.walk does not follow symlinks
            }
        }
        for (Path path : paths) {
            String name = base + (path.equals(host) ? "" : "/" + host.relativize(path));
            PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            TarArchiveEntry entry;
            if (attributes.isSymbolicLink()) {
                entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                entry.setLinkName(Files.readSymbolicLink(path).toString());
            } else if (attributes.isDirectory()) {
                entry = new TarArchiveEntry(name + "/");
            } else if (attributes.isRegularFile()) {
                entry = new TarArchiveEntry(name);
                entry.setSize(attributes.size());
            } else {
                continue; // devices, fifos and sockets are not copied, as docker cp skips what it cannot read
            }
            entry.setMode((int) modeBits(attributes.permissions()));
            entry.setModTime(attributes.lastModifiedTime().toMillis());
            Map<String, Object> ids = Files.readAttributes(path, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
            entry.setUserId((Integer) ids.get("uid"));
            entry.setGroupId((Integer) ids.get("gid"));
            tar.putArchiveEntry(entry);
            if (attributes.isRegularFile()) {
                try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
                    in.transferTo(tar);
                }
            }
            tar.closeArchiveEntry();
        }
        tar.finish();
        out.flush();
    }

    /**
     * Extracts a tar into the directory {@code containerPath}. Entries are placed by resolving
     * their names inside the container's root, so neither {@code ..}, absolute names nor symlinks
     * (in the container or earlier in the tar) can place anything outside it.
     */
    public static void copyIn(Path rootfs, String containerPath, InputStream tarStream) throws IOException {
        Path target = RootfsPaths.resolve(rootfs, containerPath);
        if (!Files.isDirectory(target)) {
            throw ApiException.notFound("Could not find the file " + containerPath + " in container: not a directory");
        }
        String base = containerPath.endsWith("/") ? containerPath : containerPath + "/";
        try (TarArchiveInputStream tar = new TarArchiveInputStream(tarStream)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName();
                Path destination = RootfsPaths.resolve(rootfs, base + name);
                if (!destination.normalize().startsWith(rootfs.normalize())) {
                    throw ApiException.badRequest("refusing tar entry " + name + ": it leads outside the container");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(destination);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(destination.getParent());
                    Files.deleteIfExists(destination);
                    Files.createSymbolicLink(destination, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Path linked = RootfsPaths.resolve(rootfs, base + entry.getLinkName());
                    Files.createDirectories(destination.getParent());
                    Files.deleteIfExists(destination);
                    Files.createLink(destination, linked);
                } else if (entry.isFile()) {
                    Files.createDirectories(destination.getParent());
                    Files.deleteIfExists(destination);
                    Files.copy(tar, destination);
                } else {
                    continue;
                }
                if (!entry.isSymbolicLink()) {
                    Files.setPosixFilePermissions(destination, permissions(entry.getMode()));
                    Files.setAttribute(destination, "unix:uid", (int) entry.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(destination, "unix:gid", (int) entry.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
                }
            }
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("the body is not a tar archive: " + e.getMessage());
        }
    }

    private static Path existing(Path rootfs, String containerPath) throws IOException {
        // a path ending in "/" or "/." means the directory a link points to; otherwise a link is the link itself
        Path host = containerPath.endsWith("/") || containerPath.endsWith("/.")
                ? RootfsPaths.resolve(rootfs, containerPath) : RootfsPaths.resolveParent(rootfs, containerPath);
        if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
            throw ApiException.notFound("Could not find the file " + containerPath + " in container");
        }
        return host;
    }

    private static long modeBits(Set<PosixFilePermission> permissions) {
        long mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= 1L << (8 - p.ordinal());
        }
        return mode;
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = java.util.EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values();
        for (int i = 0; i < all.length; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                set.add(all[i]);
            }
        }
        return set;
    }

    /** Processes of a container as {@code ps} shows them, filtered to the container's cgroup. */
    public static Map<String, Object> top(String id, String psArgs) throws IOException {
        Set<String> pids = new java.util.HashSet<>();
        for (String controller : List.of("pids", "memory", "cpu", "systemd")) {
            Path procs = Path.of("/sys/fs/cgroup", controller, "berth", id, "cgroup.procs");
            if (Files.isReadable(procs)) {
                Files.readAllLines(procs).stream().map(String::strip).filter(l -> !l.isEmpty()).forEach(pids::add);
                break;
            }
        }
        List<String> command = new ArrayList<>(List.of("ps"));
        command.addAll(List.of((psArgs == null || psArgs.isBlank() ? "-ef" : psArgs).strip().split("\\s+")));
        Process ps = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (ps.waitFor() != 0) {
                throw ApiException.badRequest("ps " + String.join(" ", command.subList(1, command.size())) + " failed: "
                        + output.lines().findFirst().orElse(""));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(500, "interrupted while listing processes");
        }
        List<String> lines = output.lines().toList();
        if (lines.isEmpty()) {
            throw new ApiException(500, "ps printed nothing");
        }
        List<String> titles = List.of(lines.getFirst().strip().split("\\s+"));
        int pidColumn = titles.indexOf("PID");
        if (pidColumn < 0) {
            throw ApiException.badRequest("Couldn't find PID field in ps output");
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
