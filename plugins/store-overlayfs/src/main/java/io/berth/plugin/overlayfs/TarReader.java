package io.berth.plugin.overlayfs;

import io.berth.spi.fs.SafeRoot;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a tar stream entry by entry, keeping every name, link target and extended attribute value
 * as the exact bytes the archive holds.
 *
 * <p>Understands the formats layer tars come in: POSIX ustar (with the name prefix), PAX extended
 * headers ({@code path}, {@code linkpath}, {@code size}, {@code uid}, {@code gid}, {@code mtime},
 * {@code SCHILY.xattr.*}), GNU long names and long link names ({@code L}, {@code K}), base-256
 * numbers, and old v7 headers. PAX global headers are skipped, as Docker skips them. Sparse files
 * and multi-volume archives are refused: no image tool writes them.
 *
 * <p>Why not Commons Compress: it decodes PAX values as UTF-8 (a binary
 * {@code security.capability} value comes out changed) and drops a leading {@code /} from PAX
 * paths before the caller can see it, which would hide an absolute entry from the driver's checks.
 */
final class TarReader {

    /** A malformed archive: the message says what and at which byte offset. */
    static final class FormatException extends IOException {
        private static final long serialVersionUID = 1L;

        FormatException(String message) {
            super(message);
        }
    }

    /** One entry's header, after PAX and GNU extensions were applied. */
    record Entry(byte[] name, byte[] linkName, char type, int mode, long uid, long gid, long size,
                 long mtimeSec, int mtimeNsec, int devMajor, int devMinor, Map<String, byte[]> xattrs) {

        boolean isRegular() {
            return type == '0' || type == '7';
        }

        /** @return the name for messages, as UTF-8, control characters escaped so it stays one line */
        String displayName() {
            String q = SafeRoot.quote(name);
            return q.substring(1, q.length() - 1);
        }
    }

    private static final int BLOCK = 512;
    private static final long MAX_META = 16L << 20;

    private final InputStream in;
    private final byte[] header = new byte[BLOCK];
    private final byte[] skipBuffer = new byte[64 * 1024];
    private long offset;
    private long remaining;
    private long padding;
    private boolean ended;

    TarReader(InputStream in) {
        this.in = in;
    }

    /** @return the next entry, or {@code null} at the end of the archive */
    Entry next() throws IOException {
        if (ended) {
            return null;
        }
        skip(remaining + padding);
        remaining = 0;
        padding = 0;
        byte[] longName = null;
        byte[] longLink = null;
        Map<String, byte[]> pax = null;
        while (true) {
            long headerOffset = offset;
            if (!readHeader()) {
                ended = true;
                return null;
            }
            char type = (char) (header[156] & 0xff);
            long size = number(header, 124, 12, "size", headerOffset);
            switch (type) {
                case 'x', 'X' -> {
                    pax = parsePax(readMeta(size, "PAX header", headerOffset), headerOffset);
                    continue;
                }
                case 'g' -> {
                    skip(size + pad(size));
                    continue;
                }
                case 'L' -> {
                    longName = trimNul(readMeta(size, "GNU long name", headerOffset));
                    continue;
                }
                case 'K' -> {
                    longLink = trimNul(readMeta(size, "GNU long link name", headerOffset));
                    continue;
                }
                default -> {
                }
            }
            return entry(type, size, longName, longLink, pax == null ? Map.of() : pax, headerOffset);
        }
    }

    private Entry entry(char type, long size, byte[] longName, byte[] longLink, Map<String, byte[]> pax, long at)
            throws FormatException {
        boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
                && header[261] == 'r' && header[262] == 0;
        byte[] name = field(header, 0, 100);
        if (ustar && header[345] != 0) {
            byte[] prefix = field(header, 345, 155);
            byte[] joined = new byte[prefix.length + 1 + name.length];
            System.arraycopy(prefix, 0, joined, 0, prefix.length);
            joined[prefix.length] = '/';
            System.arraycopy(name, 0, joined, prefix.length + 1, name.length);
            name = joined;
        }
        if (longName != null) {
            name = longName;
        }
        byte[] link = longLink != null ? longLink : field(header, 157, 100);
        int mode = (int) (number(header, 100, 8, "mode", at) & 07777);
        long uid = number(header, 108, 8, "uid", at);
        long gid = number(header, 116, 8, "gid", at);
        long mtime = number(header, 136, 12, "mtime", at);
        int mtimeNsec = 0;
        int major = 0;
        int minor = 0;
        if (type == '3' || type == '4') {
            major = (int) number(header, 329, 8, "devmajor", at);
            minor = (int) number(header, 337, 8, "devminor", at);
        }
        Map<String, byte[]> xattrs = Map.of();
        if (!pax.isEmpty()) {
            TreeMap<String, byte[]> x = new TreeMap<>();
            for (Map.Entry<String, byte[]> record : pax.entrySet()) {
                String key = record.getKey();
                byte[] value = record.getValue();
                switch (key) {
                    case "path" -> name = value;
                    case "linkpath" -> link = value;
                    case "size" -> size = paxNumber(key, value, at);
                    case "uid" -> uid = paxNumber(key, value, at);
                    case "gid" -> gid = paxNumber(key, value, at);
                    case "mtime" -> {
                        String s = ascii(value);
                        int dot = s.indexOf('.');
                        try {
                            mtime = Long.parseLong(dot < 0 ? s : s.substring(0, dot));
                            if (dot >= 0) {
                                String frac = (s.substring(dot + 1) + "000000000").substring(0, 9);
                                mtimeNsec = Integer.parseInt(frac);
                                if (mtime < 0 && mtimeNsec > 0) {
                                    mtime -= 1;
                                    mtimeNsec = 1_000_000_000 - mtimeNsec;
                                }
                            }
                        } catch (NumberFormatException e) {
                            throw new FormatException("the PAX header before byte " + at + " has a bad mtime \"" + s + "\"");
                        }
                    }
                    default -> {
                        if (key.startsWith("SCHILY.xattr.")) {
                            x.put(key.substring("SCHILY.xattr.".length()), value);
                        } else if (key.startsWith("GNU.sparse.")) {
                            throw new FormatException("entry at byte " + at + " is a sparse file (" + key + "), which layers never hold");
                        }
                    }
                }
            }
            xattrs = x;
        }
        // A NUL inside a name would cut it short at the kernel (a PAX "path" of "..\0" is ".." there):
        // such a name is refused, never truncated.
        if (indexOfNul(name) >= 0) {
            throw new FormatException("entry " + SafeRoot.quote(name) + " at byte " + at
                    + " has a NUL byte in its name");
        }
        if (indexOfNul(link) >= 0) {
            throw new FormatException("entry " + SafeRoot.quote(name) + " at byte " + at
                    + " has a NUL byte in its link target " + SafeRoot.quote(link));
        }
        if (type == 'S' || type == 'M' || type == 'N') {
            throw new FormatException("entry \"" + new String(name, StandardCharsets.UTF_8) + "\" at byte " + at
                    + " has the GNU type '" + type + "' (sparse or multi-volume), which layers never hold");
        }
        if (type == 0) {
            type = '0';
        }
        if (type == '0' && name.length > 0 && name[name.length - 1] == '/') {
            type = '5';
        }
        if (size < 0) {
            throw new FormatException("entry at byte " + at + " has a negative size");
        }
        // Only regular files carry data in a layer; a hard link's or directory's size, if any, is skipped.
        remaining = size;
        padding = pad(size);
        return new Entry(name, link, type, mode, uid, gid, size, mtime, mtimeNsec, major, minor, xattrs);
    }

    /** Reads the current entry's content; returns -1 at its end. */
    int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("the archive ends inside an entry's content (byte " + offset + ")");
        }
        offset += n;
        remaining -= n;
        return n;
    }

    /** Reads whatever follows the end of the archive, so that the caller has seen every byte. */
    void drain() throws IOException {
        while (in.read(skipBuffer) >= 0) {
            // Discard: trailing zero blocks and record padding.
        }
    }

    private boolean readHeader() throws IOException {
        int n = in.readNBytes(header, 0, BLOCK);
        offset += n;
        if (n == 0) {
            return false;
        }
        if (n < BLOCK) {
            throw new FormatException("the archive ends inside a header (byte " + (offset - n) + ")");
        }
        boolean zero = true;
        for (byte b : header) {
            if (b != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            return false;
        }
        long stored = number(header, 148, 8, "checksum", offset - BLOCK);
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            byte b = (i >= 148 && i < 156) ? (byte) ' ' : header[i];
            unsigned += b & 0xff;
            signed += b;
        }
        if (stored != unsigned && stored != signed) {
            throw new FormatException("the header at byte " + (offset - BLOCK) + " has a wrong checksum: not a tar archive, or a damaged one");
        }
        return true;
    }

    private byte[] readMeta(long size, String what, long at) throws IOException {
        if (size > MAX_META) {
            throw new FormatException("the " + what + " at byte " + at + " is " + size + " bytes, over the limit of " + MAX_META);
        }
        byte[] data = in.readNBytes((int) size);
        offset += data.length;
        if (data.length < size) {
            throw new FormatException("the archive ends inside the " + what + " at byte " + at);
        }
        skip(pad(size));
        return data;
    }

    /** Skips by reading, never {@code InputStream.skip}: the engine digests what passes through. */
    private void skip(long n) throws IOException {
        long left = n;
        while (left > 0) {
            int r = in.read(skipBuffer, 0, (int) Math.min(skipBuffer.length, left));
            if (r < 0) {
                throw new EOFException("the archive ends inside an entry (byte " + offset + ")");
            }
            left -= r;
            offset += r;
        }
    }

    private static long pad(long size) {
        return (BLOCK - (size % BLOCK)) % BLOCK;
    }

    private static Map<String, byte[]> parsePax(byte[] data, long at) throws FormatException {
        Map<String, byte[]> records = new TreeMap<>();
        int pos = 0;
        while (pos < data.length) {
            if (data[pos] == 0) {
                break;
            }
            int space = pos;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new FormatException("the PAX header at byte " + at + " has a record without a length");
            }
            int end = pos + length;
            if (length <= 0 || end > data.length || space >= end || data[end - 1] != '\n') {
                throw new FormatException("the PAX header at byte " + at + " has a malformed record");
            }
            int eq = space + 1;
            while (eq < end && data[eq] != '=') {
                eq++;
            }
            if (eq >= end) {
                throw new FormatException("the PAX header at byte " + at + " has a record without '='");
            }
            String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            records.put(key, Arrays.copyOfRange(data, eq + 1, end - 1));
            pos = end;
        }
        return records;
    }

    private static long paxNumber(String key, byte[] value, long at) throws FormatException {
        try {
            return Long.parseLong(ascii(value));
        } catch (NumberFormatException e) {
            throw new FormatException("the PAX header before byte " + at + " has a bad " + key + " \"" + ascii(value) + "\"");
        }
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII).strip();
    }

    private static byte[] field(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return Arrays.copyOfRange(h, off, end);
    }

    private static int indexOfNul(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] trimNul(byte[] b) {
        int end = b.length;
        while (end > 0 && b[end - 1] == 0) {
            end--;
        }
        return Arrays.copyOf(b, end);
    }

    /** An octal field, or a base-256 one (GNU) when its first byte has the high bit set. */
    private static long number(byte[] h, int off, int len, String what, long at) throws FormatException {
        if ((h[off] & 0x80) != 0) {
            if ((h[off] & 0x40) != 0) {
                throw new FormatException("the header at byte " + at + " has a negative " + what);
            }
            long v = h[off] & 0x3f;
            for (int i = 1; i < len; i++) {
                if ((v >>> 55) != 0) {
                    throw new FormatException("the header at byte " + at + " has a " + what + " too large");
                }
                v = (v << 8) | (h[off + i] & 0xff);
            }
            return v;
        }
        int i = off;
        int end = off + len;
        while (i < end && (h[i] == ' ' || h[i] == 0)) {
            i++;
        }
        long v = 0;
        for (; i < end; i++) {
            byte b = h[i];
            if (b == ' ' || b == 0) {
                break;
            }
            if (b < '0' || b > '7') {
                throw new FormatException("the header at byte " + at + " has a " + what + " that is not an octal number");
            }
            v = (v << 3) | (b - '0');
        }
        return v;
    }
}
