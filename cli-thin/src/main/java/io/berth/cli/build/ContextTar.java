package io.berth.cli.build;

import io.berth.cli.build.DockerIgnore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a build context as a tar, as Docker's CLI sends it: the directory's files minus what
 * {@code .dockerignore} excludes (the Dockerfile and {@code .dockerignore} always go), entries
 * sorted by name, owners 0:0 (the daemon decides ownership), modes and times kept, a file's further
 * names as hard links to its first, fifos and device nodes as such (sockets are left out). Names longer
 * than ustar's 100 bytes and sizes over 8 GiB get a PAX header. Written by hand because the CLI
 * carries no tar library (start-up time, see ARCHITECTURE.md).
 */
public final class ContextTar {
    private static final int BLOCK = 512;

    private final OutputStream out;
    private final byte[] buffer = new byte[65536];
    /** The first name sent of each multiply linked file (device and inode): its other names go as hard links. */
    private final Map<String, String> linkedFiles = new java.util.HashMap<>();
    /** The device numbers the next header carries (a device node's), else 0. */
    private long deviceMajor;
    private long deviceMinor;

    public ContextTar(OutputStream out) {
        this.out = out;
    }

    /**
     * Adds every file under {@code dir} that the ignore rules keep; {@code alwaysSent} (relative
     * names, e.g. the Dockerfile) are sent even when excluded.
     */
    public void addDirectory(Path dir, DockerIgnore ignore, List<String> alwaysSent) throws IOException {
        List<String> names = new ArrayList<>();
        walk(dir, "", ignore, alwaysSent, names);
        names.sort(null);
        for (String name : names) {
            addPath(dir.resolve(name), name);
        }
    }

    private static void walk(Path dir, String prefix, DockerIgnore ignore, List<String> always, List<String> names) throws IOException {
        List<Path> children;
        try (Stream<Path> list = Files.list(prefix.isEmpty() ? dir : dir.resolve(prefix))) {
            children = list.sorted().toList();
        }
        for (Path child : children) {
            String rel = prefix.isEmpty() ? child.getFileName().toString() : prefix + "/" + child.getFileName();
            boolean isDir = Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS);
            boolean excluded = ignore.excludes(rel, isDir) && !always.contains(rel);
            if (!excluded) {
                names.add(rel);
            }
            if (isDir && (!excluded || ignore.mayIncludeUnder(rel) || always.stream().anyMatch(a -> a.startsWith(rel + "/")))) {
                walk(dir, rel, ignore, always, names);
            }
        }
    }

    /** Adds one file, directory or symlink under {@code name}. */
    public void addPath(Path path, String name) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int mode = ((Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
        long mtime = attributes.lastModifiedTime().toMillis() / 1000;
        if (attributes.isSymbolicLink()) {
            header(name, mode, 0, mtime, '2', Files.readSymbolicLink(path).toString());
        } else if (attributes.isDirectory()) {
            header(name + "/", mode, 0, mtime, '5', "");
        } else if (attributes.isRegularFile()) {
            if (((Integer) Files.getAttribute(path, "unix:nlink", LinkOption.NOFOLLOW_LINKS)) > 1) {
                // as Docker's CLI: a file's second name is a hard link to its first, so COPY keeps them linked
                String inode = Files.getAttribute(path, "unix:dev", LinkOption.NOFOLLOW_LINKS) + ":"
                        + Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
                String first = linkedFiles.putIfAbsent(inode, name);
                if (first != null) {
                    header(name, mode, 0, mtime, '1', first);
                    return;
                }
            }
            long size = attributes.size();
            header(name, mode, size, mtime, '0', "");
            try (InputStream in = Files.newInputStream(path)) {
                long copied = 0;
                int n;
                while (copied < size && (n = in.read(buffer, 0, (int) Math.min(buffer.length, size - copied))) > 0) {
                    out.write(buffer, 0, n);
                    copied += n;
                }
                if (copied != size) {
                    throw new IOException(path + " changed size while it was read");
                }
            }
            pad(size);
        } else if (attributes.isOther() && Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) instanceof Integer m) {
            // fifos and device nodes go as Docker's CLI sends them, and COPY makes them; sockets stay home
            int type = m & 0170000;
            if (type == 0010000) {
                header(name, mode, 0, mtime, '6', "");
            } else if (type == 0020000 || type == 0060000) {
                long rdev = (Long) Files.getAttribute(path, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
                long major = ((rdev >> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
                long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
                deviceMajor = major;
                deviceMinor = minor;
                try {
                    header(name, mode, 0, mtime, type == 0020000 ? '3' : '4', "");
                } finally {
                    deviceMajor = 0;
                    deviceMinor = 0;
                }
            }
        }
    }

    /** Adds a file from memory (a Dockerfile read from stdin). */
    public void addBytes(String name, byte[] content, int mode) throws IOException {
        header(name, mode, content.length, 0, '0', "");
        out.write(content);
        pad(content.length);
    }

    /** Writes the two zero blocks that end a tar. */
    public void finish() throws IOException {
        out.write(new byte[BLOCK * 2]);
        out.flush();
    }

    private void header(String name, int mode, long size, long mtime, char type, String link) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] linkBytes = link.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100 || linkBytes.length > 100 || size > 077777777777L || !ascii(name) || !ascii(link)) {
            StringBuilder pax = new StringBuilder();
            pax.append(record("path", name));
            if (!link.isEmpty()) {
                pax.append(record("linkpath", link));
            }
            if (size > 077777777777L) {
                pax.append(record("size", Long.toString(size)));
            }
            byte[] paxBytes = pax.toString().getBytes(StandardCharsets.UTF_8);
            block("PaxHeaders/" + truncate(name, 80), 0644, paxBytes.length, mtime, 'x', "");
            out.write(paxBytes);
            pad(paxBytes.length);
        }
        block(truncate(name, 100), mode, size > 077777777777L ? 0 : size, mtime, type, truncate(link, 100));
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7e || s.charAt(i) < 0x20) {
                return false;
            }
        }
        return true;
    }

    private static String truncate(String s, int bytes) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= bytes) {
            return s;
        }
        return new String(b, 0, bytes, StandardCharsets.US_ASCII).replaceAll("[^\\x20-\\x7e]", "_");
    }

    /** A PAX record: {@code "<length> <key>=<value>\n"}, the length counting itself. */
    static String record(String key, String value) {
        int body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
        int length = body + Integer.toString(body).length();
        if (Integer.toString(length).length() != Integer.toString(body).length()) {
            length++;
        }
        return length + " " + key + "=" + value + "\n";
    }

    private void block(String name, int mode, long size, long mtime, char type, String link) throws IOException {
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, Math.max(0, mtime));
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        h[156] = (byte) type;
        put(h, 157, 100, link);
        put(h, 257, 6, "ustar");
        h[262] = 0;
        h[263] = '0';
        h[264] = '0';
        put(h, 265, 32, "root");
        put(h, 297, 32, "root");
        octal(h, 329, 8, deviceMajor);
        octal(h, 337, 8, deviceMinor);
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        String checksum = String.format("%06o", sum);
        put(h, 148, 6, checksum);
        h[154] = 0;
        h[155] = ' ';
        out.write(h);
    }

    private static void put(byte[] h, int offset, int length, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, offset, Math.min(length, b.length));
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        String s = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, length - 1 - s.length())) + s;
        put(h, offset, length - 1, padded);
        h[offset + length - 1] = 0;
    }

    private void pad(long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0) {
            out.write(new byte[BLOCK - rest]);
        }
    }

    /** For tests: the names a directory would contribute. */
    public static List<String> names(Path dir, DockerIgnore ignore, List<String> alwaysSent) throws IOException {
        List<String> names = new ArrayList<>();
        walk(dir, "", ignore, alwaysSent, names);
        names.sort(null);
        return names;
    }

    static Map<String, String> none() {
        return Map.of();
    }
}
