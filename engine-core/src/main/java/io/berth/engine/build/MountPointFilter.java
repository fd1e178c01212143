package io.berth.engine.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import io.berth.spi.fs.SafeRoot;
import io.berth.spi.fs.Sys;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Leaves out of a RUN step's layer tar what berth made for the step's mounts, not the command:
 * the mount points it created because the image lacked them (/proc, /dev, /sys, the empty
 * /etc/hosts, /etc/hostname and /etc/resolv.conf, a RUN mount's target) when they are still what
 * berth made (an empty file, a directory, mode and owner as made), and the directories above them
 * that the overlay copied up only for them (no other entry of the layer lies below them, and their
 * mode and owner are as before the command ran). Docker's builder never commits
 * these either: it mounts them over an init layer below the container's.
 *
 * <p>Entries are copied byte for byte (a PAX or GNU long-name header stays with its entry), so
 * nothing of an entry kept is re-encoded. Known limit: a change to such a directory's extended
 * attributes alone, or a file made and removed again in it, is not seen.
 */
final class MountPointFilter {
    private static final int BLOCK = 512;

    private MountPointFilter() {}

    /** One entry of the tar: its name (no leading {@code ./} or {@code /}, no trailing {@code /}), kind, owner, mode and bytes. */
    private record Entry(String name, char type, long size, int mode, long uid, long gid, long start, long end) {
        boolean directory() {
            return type == '5';
        }
    }

    /**
     * A path as it was when the launch had made its mount points, before the command ran.
     *
     * @param created whether the launch made it (else it is a directory above one, from the image)
     */
    record Made(boolean created, int mode, int uid, int gid) {}

    /**
     * Notes, before the command runs, each mount point the launch made and each directory above one:
     * an entry of the layer is left out only while it is still as noted (a command may chmod /etc).
     *
     * @param created the mount points made, absolute in the rootfs
     * @return by name as the layer tar names it (no leading or trailing slash)
     */
    static Map<String, Made> note(Path rootfs, List<String> created) throws IOException {
        Map<String, Made> made = new HashMap<>();
        try (SafeRoot root = SafeRoot.open(rootfs, SafeRoot.Symlinks.FOLLOW_IN_ROOT)) {
            for (String path : created) {
                String name = strip(path);
                note(root, name, true, made);
                for (int slash = name.lastIndexOf('/'); slash > 0; slash = name.lastIndexOf('/', slash - 1)) {
                    String above = name.substring(0, slash);
                    if (!made.containsKey(above)) {
                        note(root, above, false, made);
                    }
                }
            }
        }
        return made;
    }

    private static void note(SafeRoot root, String name, boolean created, Map<String, Made> made) throws IOException {
        Sys.Stat st = root.lstat("/" + name);
        if (st != null) {
            made.put(name, new Made(created, st.mode() & 07777, st.uid(), st.gid()));
        }
    }

    /**
     * Copies {@code tar} to {@code out} without the entries described above.
     *
     * @param made what {@link #note} found before the command ran
     * @return how many entries were kept (0: the step changed nothing)
     */
    static int copyWithout(Path tar, Map<String, Made> made, OutputStream out) throws IOException {
        List<Entry> entries = new ArrayList<>();
        long trailer = scan(tar, entries);
        Set<String> dropped = new HashSet<>();
        for (Entry e : entries) {
            Made m = made.get(e.name());
            if (m != null && m.created() && unchanged(e, m) && (e.directory() || e.type() == '0' && e.size() == 0)) {
                dropped.add(e.name());
            }
        }
        // directories, deepest first: one made or copied up for a mount point goes when nothing kept lies below it
        List<Entry> directories = new ArrayList<>(entries.stream().filter(Entry::directory).filter(e -> made.containsKey(e.name())).toList());
        directories.sort((a, b) -> Long.compare(b.name().chars().filter(c -> c == '/').count(), a.name().chars().filter(c -> c == '/').count()));
        for (Entry dir : directories) {
            String prefix = dir.name() + "/";
            boolean keptBelow = entries.stream().anyMatch(e -> e.name().startsWith(prefix) && !dropped.contains(e.name()));
            boolean droppedBelow = entries.stream().anyMatch(e -> e.name().startsWith(prefix) && dropped.contains(e.name()));
            Made m = made.get(dir.name());
            if (keptBelow || !unchanged(dir, m)) {
                dropped.remove(dir.name());
            } else if (droppedBelow || m.created()) {
                dropped.add(dir.name());
            }
        }
        int kept = 0;
        try (FileChannel in = FileChannel.open(tar, StandardOpenOption.READ)) {
            for (Entry e : entries) {
                if (!dropped.contains(e.name())) {
                    copy(in, e.start(), e.end(), out);
                    kept++;
                }
            }
            copy(in, trailer, in.size(), out);
        }
        return kept;
    }

    /** Same mode and owner as before the command (times aside: making a mount point inside a directory changes its mtime). */
    private static boolean unchanged(Entry e, Made m) {
        return e.mode() == m.mode() && e.uid() == m.uid() && e.gid() == m.gid();
    }

    /** Bytes {@code [from, to)} of the layer tar to {@code out}, by the channel's own transfer (no buffer of ours). */
    private static void copy(FileChannel in, long from, long to, OutputStream out) throws IOException {
        WritableByteChannel target = Channels.newChannel(out); // not closed: that would close out
        for (long position = from; position < to; ) {
            long n = in.transferTo(position, to - position, target);
            if (n <= 0) {
                throw new IOException("layer tar ended early");
            }
            position += n;
        }
    }

    /** Reads the entries' headers; returns where the end-of-archive blocks start. */
    private static long scan(Path tar, List<Entry> entries) throws IOException {
        try (InputStream in = Files.newInputStream(tar)) {
            byte[] header = new byte[BLOCK];
            long offset = 0;
            long entryStart = -1;
            String longName = null;
            String paxPath = null;
            Long paxSize = null;
            Long paxUid = null;
            Long paxGid = null;
            while (true) {
                if (in.readNBytes(header, 0, BLOCK) < BLOCK || allZero(header)) {
                    return offset;
                }
                long headerStart = offset;
                offset += BLOCK;
                if (entryStart < 0) {
                    entryStart = headerStart;
                }
                char type = (char) header[156];
                long size = number(header, 124, 12);
                long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
                if (type == 'x' || type == 'L' || type == 'K') {
                    byte[] data = in.readNBytes((int) size);
                    in.skipNBytes(padded - size);
                    offset += padded;
                    if (type == 'L') {
                        longName = cString(data, 0, data.length);
                    } else if (type == 'x') {
                        for (String[] record : paxRecords(data)) {
                            if (record[0].equals("path")) {
                                paxPath = record[1];
                            } else if (record[0].equals("size")) {
                                paxSize = Long.parseLong(record[1]);
                            } else if (record[0].equals("uid")) {
                                paxUid = Long.parseLong(record[1]);
                            } else if (record[0].equals("gid")) {
                                paxGid = Long.parseLong(record[1]);
                            }
                        }
                    }
                    continue;
                }
                if (paxSize != null) {
                    size = paxSize;
                    padded = (size + BLOCK - 1) / BLOCK * BLOCK;
                }
                String name = paxPath != null ? paxPath : longName != null ? longName : ustarName(header);
                long dataSize = type == '0' || type == '\0' || type == '7' ? padded : (type == 'g' ? padded : 0);
                in.skipNBytes(dataSize);
                offset += dataSize;
                int mode = (int) (number(header, 100, 8) & 07777);
                long uid = paxUid != null ? paxUid : number(header, 108, 8);
                long gid = paxGid != null ? paxGid : number(header, 116, 8);
                entries.add(new Entry(strip(name), type == '\0' ? '0' : type, size, mode, uid, gid, entryStart, offset));
                entryStart = -1;
                longName = null;
                paxPath = null;
                paxSize = null;
                paxUid = null;
                paxGid = null;
            }
        }
    }

    private static String strip(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        return n;
    }

    private static String ustarName(byte[] header) {
        String name = cString(header, 0, 100);
        boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a' && header[261] == 'r';
        String prefix = ustar ? cString(header, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String cString(byte[] bytes, int from, int length) {
        int end = from;
        while (end < from + length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, from, end - from, StandardCharsets.UTF_8);
    }

    /** An octal field, or GNU's base-256 form (high bit set). */
    private static long number(byte[] header, int from, int length) {
        if ((header[from] & 0x80) != 0) {
            long value = header[from] & 0x7f;
            for (int i = from + 1; i < from + length; i++) {
                value = value << 8 | header[i] & 0xff;
            }
            return value;
        }
        String text = cString(header, from, length).strip();
        return text.isEmpty() ? 0 : Long.parseLong(text, 8);
    }

    private static List<String[]> paxRecords(byte[] data) {
        List<String[]> records = new ArrayList<>();
        int i = 0;
        while (i < data.length) {
            int space = i;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            if (space >= data.length) {
                break;
            }
            int length = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
            if (length <= 0 || i + length > data.length) {
                break;
            }
            String record = new String(data, space + 1, i + length - space - 2, StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0) {
                records.add(new String[] {record.substring(0, eq), record.substring(eq + 1)});
            }
            i += length;
        }
        return records;
    }

    private static boolean allZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
