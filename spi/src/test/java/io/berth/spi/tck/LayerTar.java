package io.berth.spi.tck;

import io.berth.spi.Digests;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Builds layer tars for checks, entry by entry, with Apache Commons Compress (a writer independent
 * of any driver). Names are written exactly as given — {@code ../x}, {@code /etc/x} and
 * {@code .wh.} names included — so hostile tars can be built as easily as good ones.
 *
 * <pre>{@code
 * byte[] tar = LayerTar.create().dir("bin").file("bin/sh", 0755, "#!").symlink("bin/ls", "sh").bytes();
 * }</pre>
 *
 * <p>Owners default to 0:0, times to {@link #MTIME}, directory modes to 0755, file modes to 0644.
 */
public final class LayerTar {

    /** The modification time entries get unless told otherwise: 2009-02-13T23:31:30Z. */
    public static final long MTIME = 1_234_567_890L;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;
    private final Map<String, byte[]> pendingXattrs = new LinkedHashMap<>();
    private long uid;
    private long gid;
    private long mtime = MTIME;
    private byte[] finished;

    private LayerTar() {
        tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    /** @return an empty tar to add entries to */
    public static LayerTar create() {
        return new LayerTar();
    }

    /**
     * Sets the owner of the entries added from now on.
     *
     * @param newUid numeric user id
     * @param newGid numeric group id
     * @return this
     */
    public LayerTar owner(long newUid, long newGid) {
        this.uid = newUid;
        this.gid = newGid;
        return this;
    }

    /**
     * Sets the modification time of the entries added from now on.
     *
     * @param epochSecond seconds since 1970
     * @return this
     */
    public LayerTar mtime(long epochSecond) {
        this.mtime = epochSecond;
        return this;
    }

    /**
     * Gives the <em>next</em> entry an extended attribute ({@code SCHILY.xattr.<name>}), with the
     * value written byte for byte (binary values are fine). The next entry's name must be ASCII
     * and at most 100 bytes.
     *
     * @param name  the attribute, for example {@code user.note} or {@code security.capability}
     * @param value its value
     * @return this
     */
    public LayerTar xattr(String name, byte[] value) {
        pendingXattrs.put(name, value.clone());
        return this;
    }

    /** @return this, after adding a directory with mode 0755 */
    public LayerTar dir(String name) {
        return dir(name, 0755);
    }

    /**
     * @param name a name; a trailing {@code /} is added if missing
     * @param mode permission bits, including setuid/setgid/sticky
     * @return this
     */
    public LayerTar dir(String name, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, true);
        e.setMode(mode);
        return add(e, null);
    }

    /** @return this, after adding a regular file with mode 0644 */
    public LayerTar file(String name, String content) {
        return file(name, 0644, content);
    }

    /** @return this, after adding a regular file */
    public LayerTar file(String name, int mode, String content) {
        return file(name, mode, content.getBytes(StandardCharsets.UTF_8));
    }

    /** @return this, after adding a regular file */
    public LayerTar file(String name, int mode, byte[] content) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
        e.setMode(mode);
        e.setSize(content.length);
        return add(e, content);
    }

    /** @return this, after adding a symbolic link {@code name -> target} */
    public LayerTar symlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
        e.setLinkName(target);
        e.setMode(0777);
        return add(e, null);
    }

    /** @return this, after adding a hard link {@code name} to the earlier entry {@code target} */
    public LayerTar hardlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
        e.setLinkName(target);
        e.setMode(0644);
        return add(e, null);
    }

    /** @return this, after adding a character device */
    public LayerTar charDevice(String name, int major, int minor, int mode) {
        return device(name, TarConstants.LF_CHR, major, minor, mode);
    }

    /** @return this, after adding a block device */
    public LayerTar blockDevice(String name, int major, int minor, int mode) {
        return device(name, TarConstants.LF_BLK, major, minor, mode);
    }

    private LayerTar device(String name, byte type, int major, int minor, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        e.setMode(mode);
        return add(e, null);
    }

    /** @return this, after adding a named pipe */
    public LayerTar fifo(String name, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_FIFO, true);
        e.setMode(mode);
        return add(e, null);
    }

    /**
     * Adds the OCI whiteout for a path: an empty file {@code .wh.<base>} in its directory.
     *
     * @param path the path to delete, for example {@code etc/motd}
     * @return this
     */
    public LayerTar whiteout(String path) {
        int slash = path.lastIndexOf('/');
        String name = slash < 0 ? ".wh." + path : path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1);
        return file(name, 0644, new byte[0]);
    }

    /**
     * Adds the OCI opaque marker {@code <dir>/.wh..wh..opq}: the directory hides what lower
     * layers have in it.
     *
     * @param dir the directory
     * @return this
     */
    public LayerTar opaque(String dir) {
        return file(dir.endsWith("/") ? dir + ".wh..wh..opq" : dir + "/.wh..wh..opq", 0644, new byte[0]);
    }

    /**
     * Adds an entry built by the caller, for cases the other methods do not cover. Owner and time
     * are set from this builder's current values.
     *
     * @param entry   the header
     * @param content the content for a regular file, else {@code null}
     * @return this
     */
    public LayerTar add(TarArchiveEntry entry, byte[] content) {
        if (finished != null) {
            throw new IllegalStateException("the tar is finished");
        }
        entry.setUserId(uid);
        entry.setGroupId(gid);
        entry.setModTime(FileTime.from(mtime, TimeUnit.SECONDS));
        try {
            if (!pendingXattrs.isEmpty()) {
                writeRawPax(entry.getName());
            }
            tar.putArchiveEntry(entry);
            if (content != null) {
                tar.write(content);
            }
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A PAX header written by hand, because Commons Compress encodes PAX values as UTF-8 text. */
    private void writeRawPax(String name) throws IOException {
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> x : pendingXattrs.entrySet()) {
            byte[] key = ("SCHILY.xattr." + x.getKey()).getBytes(StandardCharsets.UTF_8);
            int body = 1 + key.length + 1 + x.getValue().length + 1;
            int len = body + Integer.toString(body).length();
            if (Integer.toString(len).length() != Integer.toString(body).length()) {
                len = body + Integer.toString(len).length();
            }
            records.writeBytes((len + " ").getBytes(StandardCharsets.US_ASCII));
            records.writeBytes(key);
            records.write('=');
            records.writeBytes(x.getValue());
            records.write('\n');
        }
        pendingXattrs.clear();
        byte[] data = records.toByteArray();
        String base = name.replaceAll("/+$", "");
        base = base.substring(base.lastIndexOf('/') + 1);
        TarArchiveEntry pax = new TarArchiveEntry("PaxHeaders.0/" + base, TarConstants.LF_PAX_EXTENDED_HEADER_LC, true);
        pax.setSize(data.length);
        tar.putArchiveEntry(pax);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    /** @return the finished tar */
    public synchronized byte[] bytes() {
        // Synchronized: tests share one tar between threads, and two finishing it at once could write the end marker twice.
        if (finished == null) {
            try {
                tar.finish();
                tar.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            finished = out.toByteArray();
        }
        return finished.clone();
    }

    /** @return a stream of the finished tar */
    public InputStream stream() {
        return new ByteArrayInputStream(bytes());
    }

    /** @return the tar's diff id: the sha256 of its bytes */
    public String diffId() {
        return Digests.sha256(bytes());
    }
}
