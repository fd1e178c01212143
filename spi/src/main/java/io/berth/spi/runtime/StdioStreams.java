package io.berth.spi.runtime;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * A connection to a process's standard streams. Closing it disconnects the caller; the process
 * goes on.
 */
public interface StdioStreams extends AutoCloseable {

    /** @return the process's standard input; closing it sends end-of-file */
    OutputStream stdin();

    /** @return the process's standard output (with a terminal: everything it writes) */
    InputStream stdout();

    /** @return the process's standard error; empty with a terminal */
    InputStream stderr();

    /**
     * Resizes the pseudo-terminal. Does nothing without a terminal.
     *
     * @param rows    rows
     * @param columns columns
     * @throws ContainerRuntimeException if the monitor cannot be reached
     */
    void resize(int rows, int columns) throws ContainerRuntimeException;

    /** Disconnects. */
    @Override
    void close();
}
