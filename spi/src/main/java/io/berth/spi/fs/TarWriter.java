package io.berth.spi.fs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a tar stream the way layer tars are written: a ustar header per entry, preceded by a
 * PAX extended header only when the entry needs one (a name or link target over 100 bytes or not
 * ASCII, an extended attribute, a number too large for its field). Owners are numeric only, user
 * and group names are empty, times are whole seconds. The same calls always give the same bytes.
 *
 * <p>Extended attribute values are written byte for byte ({@code SCHILY.xattr.<name>}), so binary
 * values such as {@code security.capability} survive.
 *
 * <p>The one tar writer of berth: layer diffs (their bytes are the layers' diff ids, so they must
 * never change for the same tree), {@code save}, {@code export} and {@code cp} archives. Names given
 * as strings are written as their UTF-8 bytes; {@link #begin} takes the raw bytes of a name read
 * from a file system.
 */
public final class TarWriter {

    private static final int BLOCK = 512;
    private static final long MAX_OCTAL_8 = 07777777L;
    private static final long MAX_OCTAL_12 = 077777777777L;

    private final OutputStream out;
    private final byte[] header = new byte[BLOCK];
    private long written;
    private long remaining;

    public TarWriter(OutputStream out) {
        this.out = out;
    }

    /**
     * Starts an entry; for a regular file, write exactly {@code size} bytes with {@link #write}
     * before the next call.
     *
     * @param xattrs extended attributes by name, in the order to write them (callers sort them)
     */
    public void begin(byte[] name, char type, int mode, long uid, long gid, long size, long mtime,
               byte[] linkName, int devMajor, int devMinor, Map<String, byte[]> xattrs) throws IOException {
        finishEntry();
        Map<String, byte[]> pax = new LinkedHashMap<>();
        if (name.length > 100 || !ascii(name)) {
            pax.put("path", name);
        }
        if (linkName != null && (linkName.length > 100 || !ascii(linkName))) {
            pax.put("linkpath", linkName);
        }
        if (uid > MAX_OCTAL_8 || uid < 0) {
            pax.put("uid", Long.toString(uid).getBytes(StandardCharsets.US_ASCII));
        }
        if (gid > MAX_OCTAL_8 || gid < 0) {
            pax.put("gid", Long.toString(gid).getBytes(StandardCharsets.US_ASCII));
        }
        if (size > MAX_OCTAL_12) {
            pax.put("size", Long.toString(size).getBytes(StandardCharsets.US_ASCII));
        }
        if (mtime > MAX_OCTAL_12 || mtime < 0) {
            pax.put("mtime", Long.toString(mtime).getBytes(StandardCharsets.US_ASCII));
        }
        for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
            pax.put("SCHILY.xattr." + x.getKey(), x.getValue());
        }
        if (!pax.isEmpty()) {
            byte[] records = paxRecords(pax);
            byte[] paxName = truncate(("PaxHeaders.0/" + base(Sys.latin1(name))).getBytes(StandardCharsets.ISO_8859_1));
            writeHeader(paxName, 'x', 0644, 0, 0, records.length, 0, null, 0, 0);
            out.write(records);
            written += records.length;
            padTo();
        }
        writeHeader(truncate(name), type, mode, clamp(uid, MAX_OCTAL_8), clamp(gid, MAX_OCTAL_8),
                size > MAX_OCTAL_12 ? 0 : size, clamp(mtime, MAX_OCTAL_12),
                linkName == null ? null : truncate(linkName), devMajor, devMinor);
        remaining = type == '0' ? size : 0;
    }

    /**
     * Starts a directory entry.
     *
     * @param name the entry's name; a {@code /} is appended when it does not end with one
     */
    public void directory(String name, int mode, long uid, long gid, long mtime) throws IOException {
        String dir = name.endsWith("/") ? name : name + "/";
        begin(utf8(dir), '5', mode, uid, gid, 0, mtime, null, 0, 0, Map.of());
    }

    /** Starts a regular file entry; write exactly {@code size} bytes of content next. */
    public void regularFile(String name, int mode, long uid, long gid, long mtime, long size) throws IOException {
        begin(utf8(name), '0', mode, uid, gid, size, mtime, null, 0, 0, Map.of());
    }

    /** Writes a symbolic link entry pointing at {@code target}. */
    public void symlink(String name, String target, int mode, long uid, long gid, long mtime) throws IOException {
        begin(utf8(name), '2', mode, uid, gid, 0, mtime, utf8(target), 0, 0, Map.of());
    }

    /** Writes a whole regular file entry whose content is {@code content}. */
    public void file(String name, int mode, long mtime, byte[] content) throws IOException {
        regularFile(name, mode, 0, 0, mtime, content.length);
        write(content, 0, content.length);
    }

    /**
     * Copies the rest of the current regular file's content from {@code in}.
     *
     * @throws IOException if {@code in} ends before the size the entry announced, or has more
     */
    public void writeFrom(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        while (remaining > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new IOException("the content ended " + remaining + " bytes before the size its entry announced");
            }
            write(buffer, 0, n);
        }
        if (in.read() >= 0) {
            throw new IOException("the content is longer than the size its entry announced");
        }
    }

    /** Writes content of the current regular file. */
    public void write(byte[] b, int off, int len) throws IOException {
        if (len > remaining) {
            throw new IOException("the file grew while it was being archived");
        }
        out.write(b, off, len);
        written += len;
        remaining -= len;
    }

    /** @return how many content bytes the current entry still expects */
    public long remaining() {
        return remaining;
    }

    /** Ends the archive with two zero blocks. Does not close the stream. */
    public void finish() throws IOException {
        finishEntry();
        out.write(new byte[2 * BLOCK]);
        written += 2 * BLOCK;
        out.flush();
    }

    private void finishEntry() throws IOException {
        if (remaining != 0) {
            throw new IOException("the file shrank while it was being archived (" + remaining + " bytes short)");
        }
        padTo();
    }

    private void padTo() throws IOException {
        int pad = (int) ((BLOCK - (written % BLOCK)) % BLOCK);
        if (pad > 0) {
            out.write(new byte[pad]);
            written += pad;
        }
    }

    private void writeHeader(byte[] name, char type, int mode, long uid, long gid, long size, long mtime,
                             byte[] link, int major, int minor) throws IOException {
        Arrays.fill(header, (byte) 0);
        System.arraycopy(name, 0, header, 0, name.length);
        octal(mode, 100, 8);
        octal(uid, 108, 8);
        octal(gid, 116, 8);
        octal(size, 124, 12);
        octal(mtime, 136, 12);
        header[156] = (byte) type;
        if (link != null) {
            System.arraycopy(link, 0, header, 157, link.length);
        }
        byte[] magic = {'u', 's', 't', 'a', 'r', 0, '0', '0'};
        System.arraycopy(magic, 0, header, 257, magic.length);
        if (type == '3' || type == '4') {
            octal(major, 329, 8);
            octal(minor, 337, 8);
        }
        Arrays.fill(header, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        byte[] chk = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, header, 148, 6);
        header[154] = 0;
        header[155] = ' ';
        out.write(header);
        written += BLOCK;
    }

    /** Zero-padded octal, {@code len - 1} digits and a NUL. */
    private void octal(long value, int off, int len) {
        String s = Long.toOctalString(value);
        int digits = len - 1;
        StringBuilder b = new StringBuilder(digits);
        for (int i = s.length(); i < digits; i++) {
            b.append('0');
        }
        b.append(s);
        byte[] bytes = b.toString().getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, off, digits);
        header[off + digits] = 0;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long clamp(long v, long max) {
        return v < 0 ? 0 : Math.min(v, max);
    }

    private static byte[] truncate(byte[] b) {
        return b.length <= 100 ? b : Arrays.copyOf(b, 100);
    }

    private static boolean ascii(byte[] b) {
        for (byte x : b) {
            if (x < 0x20 || x == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static String base(String name) {
        String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        return n.substring(n.lastIndexOf('/') + 1);
    }

    private static byte[] paxRecords(Map<String, byte[]> records) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> r : records.entrySet()) {
            byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
            int body = 1 + key.length + 1 + r.getValue().length + 1;
            int len = body + Integer.toString(body).length();
            if (Integer.toString(len).length() != Integer.toString(body).length()) {
                len = body + Integer.toString(len).length();
            }
            b.writeBytes(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
            b.write(' ');
            b.writeBytes(key);
            b.write('=');
            b.writeBytes(r.getValue());
            b.write('\n');
        }
        return b.toByteArray();
    }
}
