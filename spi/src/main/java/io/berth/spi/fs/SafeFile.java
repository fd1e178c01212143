package io.berth.spi.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A regular file that {@link SafeRoot} opened inside its root: written ({@link SafeRoot#create}) or
 * read ({@link SafeRoot#openRead}). Every operation is on the descriptor, so what is written, read,
 * owned or dated is the file that was opened, whatever happens to its name meanwhile. Confined to
 * the thread of the {@link SafeRoot} it came from; close it before the root.
 */
public final class SafeFile implements AutoCloseable {
    private final Sys sys;
    private final SysAt at;
    private final int fd;
    private final byte[] shown;
    private final boolean writing;
    private boolean closed;

    SafeFile(Sys sys, SysAt at, int fd, byte[] shown, boolean writing) {
        this.sys = sys;
        this.at = at;
        this.fd = fd;
        this.shown = shown;
        this.writing = writing;
    }

    /** Reads up to {@code len} bytes; returns the count, or -1 at the end of the file. */
    public int read(byte[] b, int off, int len) throws IOException {
        int n = sys.read(fd, b, off, Math.min(len, Sys.ioBufferSize()), shown);
        return n == 0 && len > 0 ? -1 : n;
    }

    /** Writes all of {@code b[off, off+len)}. */
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, Sys.ioBufferSize());
            sys.write(fd, b, off, n, shown);
            off += n;
            len -= n;
        }
    }

    /** Copies {@code in} to its end into this file; returns the bytes written. */
    public long writeFrom(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            write(buffer, 0, n);
            total += n;
        }
        return total;
    }

    /** Copies this file from its current offset to its end into {@code out}; returns the bytes copied. */
    public long transferTo(OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = read(buffer, 0, buffer.length)) > 0) {
            out.write(buffer, 0, n);
            total += n;
        }
        return total;
    }

    /** A stream over the file's contents; closing it closes this file. */
    public InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return SafeFile.this.read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : SafeFile.this.read(b, off, len);
            }

            @Override
            public void close() throws IOException {
                SafeFile.this.close();
            }
        };
    }

    /** A stream into the file; closing it closes this file. */
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                SafeFile.this.write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                SafeFile.this.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                SafeFile.this.close();
            }
        };
    }

    /** {@code fchown}: call before {@link #chmod}, since a change of owner clears setuid and setgid bits. */
    public void chown(int uid, int gid) throws IOException {
        at.fchown(fd, uid, gid, shown);
    }

    /** {@code fchmod}, with setuid, setgid and sticky bits as given (no umask). */
    public void chmod(int mode) throws IOException {
        at.fchmod(fd, mode & 07777, shown);
    }

    /** Sets access and modification time. */
    public void setTimes(long sec, int nsec) throws IOException {
        at.futimes(fd, sec, nsec, shown);
    }

    /**
     * Sets an extended attribute.
     *
     * @return 0, or the errno when the file system does not take it ({@code EOPNOTSUPP}, {@code EPERM})
     */
    public int setXattr(String name, byte[] value) throws IOException {
        return at.fsetxattr(fd, name, value, shown);
    }

    /** @return the facts of the open file */
    public Sys.Stat stat() throws IOException {
        return at.fstat(fd, shown);
    }

    /** Closes the descriptor; for a file being written, a failing close is reported (it can mean lost data). */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (writing) {
            sys.close(fd, shown);
        } else {
            sys.closeQuietly(fd);
        }
    }
}
