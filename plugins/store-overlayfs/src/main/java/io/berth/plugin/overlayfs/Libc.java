package io.berth.plugin.overlayfs;

import io.berth.spi.fs.Sys;
import io.berth.spi.fs.Sys;
import io.berth.spi.fs.Sys.SysException;

import java.io.IOException;
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
 * The two system calls the driver needs, {@code mount(2)} and {@code umount2(2)}, called through
 * the Foreign Function API instead of forking {@code mount(8)}: a container start mounts one
 * overlay, and a fork costs more than the whole mount. Needs
 * {@code --enable-native-access=ALL-UNNAMED} on the daemon's command line (without it the JVM
 * warns once).
 */
final class Libc {

    /**
     * {@code MS_NODEV}: device nodes in the mount cannot be opened. Every overlay berth mounts (a
     * container's root, a build step's snapshot, a read-only view of an image) has it, so a device
     * node an image or a container made never reaches a host device; the container's /dev is a
     * tmpfs of its own. No {@code MS_NOSUID}: as Docker, whose root filesystems keep setuid programs working.
     */
    static final long MS_NODEV = 4;

    /** {@code MNT_DETACH}: lazy unmount, for cleaning up after a failure. */
    static final int MNT_DETACH = 2;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle MOUNT = downcall("mount", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), true);
    private static final MethodHandle UMOUNT2 = downcall("umount2",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), true);

    private Libc() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, boolean captureErrno) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("libc has no " + name));
        return captureErrno
                ? LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"))
                : LINKER.downcallHandle(symbol, descriptor);
    }

    /**
     * {@code mount(source, target, fstype, flags, data)}.
     *
     * @throws IOException a {@link Sys.SysException} with the kernel's error, for example
     *                     {@code mount overlay on /x: Operation not permitted (errno 1)}
     */
    static void mount(String source, String target, String fstype, long flags, String data) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment options = data == null ? MemorySegment.NULL : arena.allocateFrom(data);
            int rc = (int) MOUNT.invokeExact(state, arena.allocateFrom(source), arena.allocateFrom(target),
                    arena.allocateFrom(fstype), flags, options);
            if (rc != 0) {
                int errno = (int) ERRNO.get(state, 0L);
                throw new SysException("mount " + fstype + " on " + target + ": " + describe(errno), errno);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("mount call failed", t);
        }
    }

    /**
     * {@code umount2(target, flags)}.
     *
     * @throws IOException a {@link Sys.SysException} with the kernel's error
     */
    static void umount2(String target, int flags) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) UMOUNT2.invokeExact(state, arena.allocateFrom(target), flags);
            if (rc != 0) {
                int errno = (int) ERRNO.get(state, 0L);
                throw new SysException("umount " + target + ": " + describe(errno), errno);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("umount2 call failed", t);
        }
    }

    /** The kernel's words for an error number (one binding, in {@link Sys}). */
    static String describe(int errno) {
        return Sys.describe(errno);
    }

}
