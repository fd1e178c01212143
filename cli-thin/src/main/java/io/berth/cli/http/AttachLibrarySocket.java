package io.berth.cli.http;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A Unix-domain socket opened through the JDK's own attach library ({@code jdk.attach}, the code {@code jcmd} uses
 * to reach a JVM's attach socket), for the CLI's everyday commands.
 *
 * <p>Why: the JDK's NIO Unix-domain sockets initialise {@code sun.nio.ch.UnixDomainSockets}, whose static
 * initialiser creates a {@code SecureRandom} (to name auto-bound sockets, which a client never uses) and with it
 * the SUN security provider: ~9 ms of CPU of every interpreted command, which no system property or NIO call
 * avoids (docs/PERFORMANCE.md, "Start-up side by side"). The attach library's {@code socket}, {@code connect},
 * {@code read}, {@code write} and {@code close} are plain system calls behind static native methods of
 * {@code sun.tools.attach.VirtualMachineImpl}; the CLI's jar opens that package to itself in its manifest
 * ({@code Add-Opens}, honoured for {@code java -jar}), which, unlike {@code --add-opens} on the command line,
 * keeps the JDK's archived module graph and the AOT cache usable.
 *
 * <p>Internal JDK code can change: when the class, a method or the access is missing, {@link #available()} is
 * {@code false} and the caller uses NIO. The library reads at most 128 bytes per call, so this is for short
 * answers only; streaming commands keep NIO.
 */
final class AttachLibrarySocket {
    /** {@code sun_path}'s size less its terminating NUL: the library cuts a longer path, NIO refuses it. */
    private static final int MAX_PATH_BYTES = 107;

    private static final Method SOCKET;
    private static final Method CONNECT;
    private static final Method READ;
    private static final Method WRITE;
    private static final Method CLOSE;

    static {
        Method socket = null;
        Method connect = null;
        Method read = null;
        Method write = null;
        Method close = null;
        try {
            Class<?> c = Class.forName("sun.tools.attach.VirtualMachineImpl");
            socket = c.getDeclaredMethod("socket");
            connect = c.getDeclaredMethod("connect", int.class, String.class);
            read = c.getDeclaredMethod("read", int.class, byte[].class, int.class, int.class);
            write = c.getDeclaredMethod("write", int.class, byte[].class, int.class, int.class);
            close = c.getDeclaredMethod("close", int.class);
            socket.setAccessible(true);
            connect.setAccessible(true);
            read.setAccessible(true);
            write.setAccessible(true);
            close.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unavailable) {
            // not opened to us (a JVM not started with -jar), another JDK's layout, no jdk.attach: NIO instead
            socket = null;
        }
        SOCKET = socket;
        CONNECT = connect;
        READ = read;
        WRITE = write;
        CLOSE = close;
    }

    private AttachLibrarySocket() {
    }

    /** Whether this JVM can open sockets this way, and {@code path} fits a socket address. */
    static boolean available(Path path) {
        return SOCKET != null && path.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_PATH_BYTES;
    }

    /**
     * Connects to the socket at {@code path}.
     *
     * @throws IOException as the system call failed: {@link java.io.FileNotFoundException} for a missing path,
     *                     else the system's message ({@code Connection refused}, {@code Permission denied})
     */
    static Connection connect(Path path) throws IOException {
        int fd = (Integer) call(SOCKET);
        try {
            call(CONNECT, fd, path.toString());
        } catch (IOException | RuntimeException e) {
            call(CLOSE, fd);
            throw e;
        }
        return new Connection(fd);
    }

    private static Object call(Method m, Object... args) throws IOException {
        try {
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(String.valueOf(e.getCause()), e.getCause());
        } catch (IllegalAccessException e) {
            throw new IOException(e.toString(), e);
        }
    }

    /** One connected socket: its input as a stream, whole writes, and closing. */
    static final class Connection implements Closeable {
        private final int fd;
        private boolean closed;

        Connection(int fd) {
            this.fd = fd;
        }

        /** Writes all of {@code bytes}. */
        void write(byte[] bytes) throws IOException {
            call(WRITE, fd, bytes, 0, bytes.length);
        }

        /** The socket's input; the caller buffers it. */
        InputStream input() {
            return new Input(this);
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                call(CLOSE, fd);
            }
        }
    }

    /** Reads through the library: up to 128 bytes a call, -1 at the end. */
    private static final class Input extends InputStream {
        private final Connection connection;

        Input(Connection connection) {
            this.connection = connection;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            // The library's last argument is the array's end, not a count: it reads min(128, end - off) bytes.
            return (Integer) call(READ, connection.fd, b, off, off + len);
        }
    }
}
