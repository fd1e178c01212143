package io.berth.plugin.runc;

import io.berth.spi.fs.Sys;
import io.berth.spi.os.Descriptors;
import io.berth.spi.os.Sockets;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.StdioStreams;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connection to conmon's attach socket, {@code BUNDLE/attach} (conmon binds it through the
 * symlink {@code <socket-dir>/<uuid>} to the bundle), a Unix socket of type
 * {@code SOCK_SEQPACKET}, which the JDK cannot open: {@link io.berth.spi.os.Sockets} does it.
 *
 * <ul>
 *   <li>Each packet conmon sends is one read of the container's output, prefixed with one byte
 *       naming the stream: 2 standard output, 3 standard error (conmon's {@code STDOUT_PIPE} and
 *       {@code STDERR_PIPE}; with a terminal everything arrives as standard output).</li>
 *   <li>Every packet sent is written to the container's standard input (only if conmon was
 *       started with {@code -i}); shutting down the sending side closes it.</li>
 *   <li>Resizing writes {@code "1 ROWS COLUMNS\n"} to the {@code BUNDLE/ctl} FIFO.</li>
 * </ul>
 * The socket path is reached through {@code /proc/self/fd/N/attach} with N an {@code O_PATH}
 * descriptor of the bundle, so a long bundle path does not overflow {@code sun_path}.
 */
final class AttachSocket implements StdioStreams {

    static final int STDOUT_PIPE = 2;
    static final int STDERR_PIPE = 3;
    private static final int PACKET = 8192;

    private final String id;
    private final Path bundle;
    private final int fd;
    private final ChunkInputStream stdout = new ChunkInputStream();
    private final ChunkInputStream stderr = new ChunkInputStream();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object descriptorLock = new Object();
    private boolean descriptorClosed;
    private final OutputStream stdin;

    private AttachSocket(String id, Path bundle, int fd) {
        this.id = id;
        this.bundle = bundle;
        this.fd = fd;
        this.stdin = new StdinStream();
    }

    static AttachSocket connect(String id, Path bundle) throws ContainerRuntimeException {
        int dir;
        try {
            dir = Descriptors.open(bundle.toString(), Sys.O_PATH | Sys.O_DIRECTORY | Sys.O_CLOEXEC);
        } catch (IOException e) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.FAILED,
                    "container " + id + ": cannot open its bundle " + bundle + ": " + e.getMessage(), e);
        }
        int fd;
        try {
            fd = Sockets.connectSeqpacket("/proc/self/fd/" + dir + "/attach");
        } catch (IOException e) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.FAILED,
                    "container " + id + ": cannot attach through conmon's socket " + bundle.resolve("attach") + ": " + e.getMessage(), e);
        } finally {
            Descriptors.close(dir);
        }
        AttachSocket socket = new AttachSocket(id, bundle, fd);
        Thread.ofPlatform().daemon().name("runc-attach-" + id).start(socket::pump);
        return socket;
    }

    private void pump() {
        byte[] buffer = new byte[PACKET + 2];
        try {
            while (true) {
                int n = Descriptors.read(fd, buffer);
                if (n <= 0) {
                    break;
                }
                byte[] payload = Arrays.copyOfRange(buffer, 1, n);
                (buffer[0] == STDERR_PIPE ? stderr : stdout).feed(payload);
            }
        } catch (IOException e) {
            // the connection broke: end both streams
        } finally {
            stdout.end();
            stderr.end();
            if (closed.compareAndSet(false, true)) {
                Sockets.shutdown(fd, Sockets.SHUT_RDWR);
            }
            synchronized (descriptorLock) {
                descriptorClosed = true;
                Descriptors.close(fd);
            }
        }
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public java.io.InputStream stdout() {
        return stdout;
    }

    @Override
    public java.io.InputStream stderr() {
        return stderr;
    }

    @Override
    public void resize(int rows, int columns) throws ContainerRuntimeException {
        resize(id, bundle, rows, columns);
    }

    /** Writes a resize message to conmon's control FIFO, failing rather than blocking if conmon is gone. */
    static void resize(String id, Path bundle, int rows, int columns) throws ContainerRuntimeException {
        Path ctl = bundle.resolve("ctl");
        byte[] message = ("1 " + rows + " " + columns + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            int fifo = Descriptors.open(ctl.toString(), Sys.O_WRONLY | Sys.O_NONBLOCK | Sys.O_CLOEXEC);
            try {
                Descriptors.write(fifo, message, 0, message.length);
            } finally {
                Descriptors.close(fifo);
            }
        } catch (IOException e) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.FAILED,
                    "container " + id + ": cannot resize its terminal through " + ctl + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            synchronized (descriptorLock) {
                if (!descriptorClosed) {
                    // wakes the pump, which closes the descriptor
                    Sockets.shutdown(fd, Sockets.SHUT_RDWR);
                }
            }
        }
    }

    private final class StdinStream extends OutputStream {
        private final AtomicBoolean ended = new AtomicBoolean();

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] data, int offset, int length) throws IOException {
            synchronized (descriptorLock) {
                if (ended.get() || closed.get() || descriptorClosed) {
                    throw new IOException("container " + id + ": standard input is closed");
                }
                for (int done = 0; done < length; done += PACKET) {
                    Descriptors.write(fd, data, offset + done, Math.min(PACKET, length - done));
                }
            }
        }

        @Override
        public void close() {
            synchronized (descriptorLock) {
                if (ended.compareAndSet(false, true) && !descriptorClosed) {
                    Sockets.shutdown(fd, Sockets.SHUT_WR);
                }
            }
        }
    }
}
