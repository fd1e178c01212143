package io.berth.spi.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The one place berth reaches the C library through the Foreign Function API: it looks functions
 * up, makes their method handles with {@code errno} captured, and reads {@code errno} back. The
 * bindings by concern ({@link io.berth.spi.fs.Sys} for files, {@link MountCalls} for mounts,
 * {@link Signals}, {@link Terminals}, {@link Sockets}, {@link Namespaces}) are built on it, so no
 * module links a function a second time.
 *
 * <p>A call made through a handle from {@link #function} takes, as its first argument, a call
 * state segment from {@link #callState}; after a failure, {@link #errno} reads the error from it.
 */
public final class Native {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final MethodHandle STRERROR = plain("strerror", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private Native() {
    }

    /**
     * A C library function whose handle captures {@code errno}.
     *
     * @param name       the function's name
     * @param descriptor its C signature
     * @return a handle whose first argument is a call state segment
     * @throws IllegalStateException if the C library has no such function
     */
    public static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor, CAPTURE_ERRNO);
    }

    /**
     * A variadic C library function ({@code open}, {@code openat}, {@code ioctl}, {@code syscall})
     * whose handle captures {@code errno}.
     *
     * @param firstVariadic the index of the first argument the {@code ...} takes
     */
    public static MethodHandle variadic(String name, FunctionDescriptor descriptor, int firstVariadic) {
        return LINKER.downcallHandle(symbol(name), descriptor, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(firstVariadic));
    }

    /** A C library function that reports no error through {@code errno}. */
    public static MethodHandle plain(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor);
    }

    /** A call state segment for handles from {@link #function} and {@link #variadic}. */
    public static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /** The {@code errno} the last call through {@code state} left. */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /**
     * @param errno an error number
     * @return the C library's text for it and the number, e.g. {@code Operation not permitted (errno 1)}
     */
    public static String describe(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0) + " (errno " + errno + ")";
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /**
     * Calls a handle from {@link #function} or {@link #variadic} with a call state first.
     *
     * @return what the function returned
     */
    public static Object invoke(MethodHandle handle, MemorySegment state, Object... arguments) {
        Object[] all = new Object[arguments.length + 1];
        all[0] = state;
        System.arraycopy(arguments, 0, all, 1, arguments.length);
        try {
            return handle.invokeWithArguments(all);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Throws the call's failure, naming it, when {@code result} is negative. */
    public static void check(long result, MemorySegment state, String what) throws java.io.IOException {
        if (result < 0) {
            throw failure(state, what);
        }
    }

    /** @return an exception naming the call and the C library's words for the {@code errno} it left */
    public static java.io.IOException failure(MemorySegment state, String what) {
        return new java.io.IOException(what + ": " + describe(errno(state)));
    }

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name));
    }
}
