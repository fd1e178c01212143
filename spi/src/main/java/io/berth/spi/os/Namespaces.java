package io.berth.spi.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Joining a namespace ({@code setns(2)}). A namespace belongs to a thread: call this on a thread
 * made for the purpose and let it end afterwards, never on a pooled one.
 */
public final class Namespaces {

    /** {@code CLONE_NEWNET}: a network namespace. */
    public static final int CLONE_NEWNET = 0x40000000;

    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;

    private static final MethodHandle SETNS = Native.function("setns", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Namespaces() {
    }

    /**
     * Moves the calling thread into the namespace a file names ({@code /proc/<pid>/ns/net}, or a
     * bind mount of it).
     *
     * @param namespace the namespace's file
     * @param type      the kind it must be, e.g. {@link #CLONE_NEWNET}
     * @throws IOException naming the file and the kernel's words (joining needs root)
     */
    public static void join(Path namespace, int type) throws IOException {
        int fd = Descriptors.open(namespace.toString(), O_RDONLY | O_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            Native.check((int) Native.invoke(SETNS, state, fd, type), state, "setns " + namespace);
        } finally {
            Descriptors.close(fd);
        }
    }
}
