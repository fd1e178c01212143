package io.berth.plugin.runc;

import io.berth.spi.runtime.ContainerRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ExecFifo} on a real fifo, with a real process standing in for a container's init. */
class ExecFifoTest {

    @TempDir
    Path root;

    private Path fifo;
    private Process init;

    @BeforeEach
    void makeFifo() throws Exception {
        Files.createDirectories(root.resolve("c1"));
        fifo = root.resolve("c1").resolve(ExecFifo.NAME);
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
    }

    @AfterEach
    void killInit() {
        if (init != null) {
            init.destroyForcibly();
        }
    }

    /** Like runc's init: opens the fifo for writing (waiting for a reader), writes one byte, then lives on. */
    private Process writer() throws Exception {
        return new ProcessBuilder("sh", "-c", "printf 0 > '" + fifo + "'; exec sleep 60").start();
    }

    @Test
    void givenAnInitWaitingOnTheFifo_whenReleased_thenItsByteIsReadAndTheFifoIsGone() throws Exception {
        init = writer();
        ExecFifo.release(root, "c1", init.pid(), Conmon::alive, Duration.ofSeconds(10));
        assertFalse(Files.exists(fifo), "the fifo is removed, so runc calls the container running");
        assertTrue(init.isAlive());
    }

    @Test
    void givenAnInitThatDiesWhileTheStartWaits_whenReleased_thenWrongStateWithinAMomentInsteadOfAHang() throws Exception {
        init = new ProcessBuilder("sleep", "60").start(); // never opens the fifo
        CompletableFuture<ContainerRuntimeException> start = CompletableFuture.supplyAsync(() -> {
            try {
                ExecFifo.release(root, "c1", init.pid(), Conmon::alive, Duration.ofSeconds(30));
                return null;
            } catch (ContainerRuntimeException e) {
                return e;
            }
        });
        Thread.sleep(300);
        assertFalse(start.isDone(), "the start waits while the init lives");
        init.destroyForcibly().waitFor();
        ContainerRuntimeException e = start.get(5, TimeUnit.SECONDS);
        assertTrue(e != null, "the start fails");
        assertEquals(ContainerRuntimeException.Reason.WRONG_STATE, e.reason(), e.getMessage());
        assertTrue(Files.exists(fifo), "a failed start leaves the fifo: the container stays as it was");
    }

    @Test
    void givenADeadInit_whenReleased_thenWrongStateAtOnce() throws Exception {
        init = new ProcessBuilder("true").start();
        init.waitFor();
        ContainerRuntimeException e = assertThrows(ContainerRuntimeException.class,
                () -> ExecFifo.release(root, "c1", init.pid(), Conmon::alive, Duration.ofSeconds(10)));
        assertEquals(ContainerRuntimeException.Reason.WRONG_STATE, e.reason(), e.getMessage());
    }

    @Test
    void givenNoFifo_whenReleased_thenWrongStateAndForAnUnknownIdNotFound() throws Exception {
        // an init that lives on with its fifo gone (already started); not writer(), whose shell, if the delete came
        // before its open, would create a plain file of that name and so a fifo that reads one byte
        Files.delete(fifo);
        init = new ProcessBuilder("sleep", "60").start();
        ContainerRuntimeException started = assertThrows(ContainerRuntimeException.class,
                () -> ExecFifo.release(root, "c1", init.pid(), Conmon::alive, Duration.ofSeconds(10)));
        assertEquals(ContainerRuntimeException.Reason.WRONG_STATE, started.reason(), started.getMessage());
        ContainerRuntimeException unknown = assertThrows(ContainerRuntimeException.class,
                () -> ExecFifo.release(root, "c2", init.pid(), Conmon::alive, Duration.ofSeconds(10)));
        assertEquals(ContainerRuntimeException.Reason.NOT_FOUND, unknown.reason(), unknown.getMessage());
    }
}
