package io.berth.spi.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Pseudo-terminals for {@code exec -t}: opened in raw mode, read until the last slave closes (EIO),
 * resized with {@code ioctl(TIOCSWINSZ)}. Write to and close the master with {@link Descriptors}.
 */
public final class Terminals {

    private static final int EIO = 5;
    private static final int O_RDWR = 2;
    private static final int O_NOCTTY = 0400;
    private static final int O_CLOEXEC = 02000000;
    private static final long TIOCSWINSZ = 0x5414;

    private static final MethodHandle POSIX_OPENPT = Native.function("posix_openpt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));
    private static final MethodHandle GRANTPT = Native.function("grantpt", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle UNLOCKPT = Native.function("unlockpt", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle PTSNAME_R = Native.function("ptsname_r", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle TCGETATTR = Native.function("tcgetattr", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle TCSETATTR = Native.function("tcsetattr", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle CFMAKERAW = Native.function("cfmakeraw", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    private static final MethodHandle IOCTL = Native.variadic("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), 2);

    private Terminals() {
    }

    /**
     * A pseudo-terminal: its master's descriptor, its slave's path.
     *
     * @param master the master side's descriptor (close-on-exec)
     * @param slave  the slave's path, for the process that gets the terminal
     */
    public record Pty(int master, String slave) {
    }

    /**
     * A new pseudo-terminal in raw mode: {@code posix_openpt}, {@code grantpt}, {@code unlockpt},
     * {@code cfmakeraw} applied through the master.
     */
    public static Pty openPty() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int master = (int) Native.invoke(POSIX_OPENPT, state, O_RDWR | O_NOCTTY | O_CLOEXEC);
            Native.check(master, state, "posix_openpt");
            try {
                Native.check((int) Native.invoke(GRANTPT, state, master), state, "grantpt");
                Native.check((int) Native.invoke(UNLOCKPT, state, master), state, "unlockpt");
                MemorySegment name = arena.allocate(128);
                int result = (int) Native.invoke(PTSNAME_R, state, master, name, 128L);
                if (result != 0) {
                    throw new IOException("ptsname_r: error " + result);
                }
                MemorySegment termios = arena.allocate(128, 8);
                Native.check((int) Native.invoke(TCGETATTR, state, master, termios), state, "tcgetattr");
                Native.invoke(CFMAKERAW, state, termios);
                Native.check((int) Native.invoke(TCSETATTR, state, master, 0, termios), state, "tcsetattr");
                return new Pty(master, name.getString(0));
            } catch (IOException e) {
                Descriptors.close(master);
                throw e;
            }
        }
    }

    /**
     * {@code read} on a terminal's master: end of stream once every slave is closed (EIO).
     *
     * @return bytes read, 0 at end of stream
     */
    public static int read(int master, byte[] buffer) throws IOException {
        long n = Descriptors.readOrErrno(master, buffer);
        if (n == -EIO) {
            return 0;
        }
        if (n < 0) {
            throw new IOException("read: " + Native.describe((int) -n));
        }
        return (int) n;
    }

    /** {@code ioctl(fd, TIOCSWINSZ, &winsize)}: the terminal's size in rows and columns. */
    public static void resize(int master, int rows, int columns) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            MemorySegment size = arena.allocate(8, 2);
            size.set(ValueLayout.JAVA_SHORT, 0, (short) rows);
            size.set(ValueLayout.JAVA_SHORT, 2, (short) columns);
            Native.check((int) Native.invoke(IOCTL, state, master, TIOCSWINSZ, size), state, "ioctl TIOCSWINSZ");
        }
    }
}
