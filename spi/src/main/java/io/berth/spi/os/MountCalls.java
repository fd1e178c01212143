package io.berth.spi.os;

import io.berth.spi.fs.Sys;
import io.berth.spi.fs.Sys.SysException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@code mount(2)} and {@code umount2(2)}, called through the Foreign Function API instead of
 * forking {@code mount(8)}: a container start mounts one overlay, and a fork costs more than the
 * whole mount. Needs {@code --enable-native-access=ALL-UNNAMED} on the daemon's command line
 * (without it the JVM warns once).
 */
public final class MountCalls {

    /**
     * {@code MS_NODEV}: device nodes in the mount cannot be opened. Every overlay berth mounts (a
     * container's root, a build step's snapshot, a read-only view of an image) has it, so a device
     * node an image or a container made never reaches a host device; the container's /dev is a
     * tmpfs of its own. No {@code MS_NOSUID}: as Docker, whose root filesystems keep setuid programs working.
     */
    public static final long MS_NODEV = 4;

    /** {@code MNT_DETACH}: lazy unmount, for cleaning up after a failure. */
    public static final int MNT_DETACH = 2;

    private static final MethodHandle MOUNT = Native.function("mount", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    private static final MethodHandle UMOUNT2 = Native.function("umount2",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private MountCalls() {
    }

    /**
     * {@code mount(source, target, fstype, flags, data)}.
     *
     * @throws IOException a {@link Sys.SysException} with the kernel's error, for example
     *                     {@code mount overlay on /x: Operation not permitted (errno 1)}
     */
    public static void mount(String source, String target, String fstype, long flags, String data) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            MemorySegment options = data == null ? MemorySegment.NULL : arena.allocateFrom(data);
            int rc = (int) MOUNT.invokeExact(state, arena.allocateFrom(source), arena.allocateFrom(target),
                    arena.allocateFrom(fstype), flags, options);
            if (rc != 0) {
                int errno = Native.errno(state);
                throw new SysException("mount " + fstype + " on " + target + ": " + Native.describe(errno), errno);
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
    public static void umount2(String target, int flags) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int rc = (int) UMOUNT2.invokeExact(state, arena.allocateFrom(target), flags);
            if (rc != 0) {
                int errno = Native.errno(state);
                throw new SysException("umount " + target + ": " + Native.describe(errno), errno);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("umount2 call failed", t);
        }
    }

}
