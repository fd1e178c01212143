package io.berth.spi.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Signals to processes by pid, for what {@link ProcessHandle} cannot send (it knows only SIGTERM
 * and SIGKILL).
 */
public final class Signals {

    /** {@code SIGWINCH}: the terminal's size changed. */
    public static final int SIGWINCH = 28;

    private static final MethodHandle KILL = Native.function("kill", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Signals() {
    }

    /** {@code kill(pid, signal)}, errors ignored (the process may be gone). */
    public static void kill(long pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            Native.invoke(KILL, Native.callState(arena), (int) pid, signal);
        }
    }
}
