package io.berth.spi.registry;

import java.io.IOException;
import java.io.InputStream;

/**
 * Opens a blob's bytes from the start. May be called more than once, for retries; each call
 * returns a new stream, which the caller closes.
 */
@FunctionalInterface
public interface BlobSource {

    /**
     * @return a new stream over the whole blob
     * @throws IOException if the content cannot be opened
     */
    InputStream open() throws IOException;
}
