package io.berth.plugin.runc;

import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ContainerRuntimeException.Reason;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongPredicate;

/**
 * Starts a created container without a second runc process. After {@code runc create} the
 * container's init blocks opening {@code exec.fifo} in runc's state directory for writing; once a
 * reader opens it, the init writes one byte and execs the program. Reading that byte and removing
 * the fifo is all {@code runc start} does for a created container (runc then reports it running,
 * since the fifo is gone).
 *
 * <p>An open for reading blocks until a writer comes, so an init that died before opening the
 * fifo would block it for ever. The open runs on its own thread while the caller checks every
 * {@value #CHECK_MILLIS} ms whether the init still lives; if not, the caller opens the fifo for
 * reading and writing (which never blocks), so the reader's open returns and reads nothing, and the
 * start fails.
 */
final class ExecFifo {

    static final String NAME = "exec.fifo";
    private static final long CHECK_MILLIS = 100;

    private ExecFifo() {
    }

    /**
     * Releases the created container's init.
     *
     * @param runcRoot runc's {@code --root}
     * @param id       the container id
     * @param pid      the init's pid
     * @param alive    whether a pid names a live process (not a zombie)
     * @param timeout  how long the init may take to open the fifo
     * @throws ContainerRuntimeException NOT_FOUND if runc has no such container, WRONG_STATE if it is
     *                                   not created or its init died, TIMEOUT, or FAILED
     */
    static void release(Path runcRoot, String id, long pid, LongPredicate alive, Duration timeout) throws ContainerRuntimeException {
        Path directory = runcRoot.resolve(id);
        if (!Files.isDirectory(directory)) {
            throw new ContainerRuntimeException(Reason.NOT_FOUND, "container " + id + " does not exist in runc's state under " + runcRoot);
        }
        Path fifo = directory.resolve(NAME);
        if (!Files.exists(fifo)) {
            throw notCreated(id, pid, alive);
        }
        if (!alive.test(pid)) {
            throw new ContainerRuntimeException(Reason.WRONG_STATE, "container " + id + " has stopped: its process " + pid
                    + " died before it was started");
        }
        CompletableFuture<Integer> read = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().daemon().name("exec-fifo-" + id).unstarted(() -> {
            try {
                read.complete(readAll(fifo));
            } catch (Throwable e) {
                read.completeExceptionally(e);
            }
        });
        reader.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        int bytes;
        try {
            while (true) {
                try {
                    bytes = read.get(CHECK_MILLIS, TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException e) {
                    boolean late = System.nanoTime() - deadline > 0;
                    if (late || !alive.test(pid)) {
                        bytes = unblockAndAwait(fifo, read, id);
                        if (bytes > 0) {
                            break;
                        }
                        throw late && alive.test(pid)
                                ? new ContainerRuntimeException(Reason.TIMEOUT, "container " + id + ": its process " + pid
                                        + " did not wait for the start within " + timeout.toSeconds() + " s")
                                : new ContainerRuntimeException(Reason.WRONG_STATE, "container " + id + " has stopped: its process "
                                        + pid + " died before it was started");
                    }
                }
            }
        } catch (InterruptedException e) {
            unblock(fifo);
            Thread.currentThread().interrupt();
            throw new ContainerRuntimeException(Reason.FAILED, "container " + id + ": interrupted while starting it", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof NoSuchFileException) {
                // another start took it meanwhile
                throw notCreated(id, pid, alive);
            }
            throw new ContainerRuntimeException(Reason.FAILED, "container " + id + ": cannot read runc's " + fifo + ": " + cause, cause);
        }
        if (bytes == 0) {
            // the writer came and went without a byte: the init was started by someone else meanwhile
            throw notCreated(id, pid, alive);
        }
        try {
            Files.deleteIfExists(fifo);
        } catch (IOException e) {
            throw new ContainerRuntimeException(Reason.FAILED, "container " + id + " started, but runc's " + fifo
                    + " cannot be removed (runc would still call it created): " + e.getMessage(), e);
        }
    }

    private static int readAll(Path fifo) throws IOException {
        int total = 0;
        try (FileChannel channel = FileChannel.open(fifo, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(16);
            int n;
            while ((n = channel.read(buffer)) >= 0) {
                total += n;
                buffer.clear();
            }
        }
        return total;
    }

    /** Opens the fifo as a writer and closes it at once, so a reader blocked in open returns (and reads end of file). */
    private static void unblock(Path fifo) {
        try (FileChannel ignored = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // O_RDWR on a fifo does not wait for a peer; without CREATE a removed fifo is not made again
        } catch (IOException e) {
            // gone: the reader has its answer already
        }
    }

    /**
     * Unblocks the reader, again until it answers: should its thread not be in its open yet, an
     * unblock before comes too early.
     *
     * @return the bytes it read
     */
    private static int unblockAndAwait(Path fifo, CompletableFuture<Integer> read, String id)
            throws ContainerRuntimeException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() - deadline < 0) {
            unblock(fifo);
            try {
                return read.get(50, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                return 0;
            } catch (TimeoutException e) {
                // not in its open yet: once more
            }
        }
        throw new ContainerRuntimeException(Reason.FAILED, "container " + id + ": runc's " + fifo + " could not be released");
    }

    private static ContainerRuntimeException notCreated(String id, long pid, LongPredicate alive) {
        return alive.test(pid)
                ? new ContainerRuntimeException(Reason.WRONG_STATE, "container " + id + ": cannot start an already running container")
                : new ContainerRuntimeException(Reason.WRONG_STATE, "container " + id + ": cannot start a container that has stopped");
    }
}
