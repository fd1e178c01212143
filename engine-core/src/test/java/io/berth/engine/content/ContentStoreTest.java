package io.berth.engine.content;

import io.berth.spi.Digests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreTest {
    @TempDir
    Path root;

    private static final byte[] HELLO = "hello, berth".repeat(1000).getBytes(StandardCharsets.UTF_8);
    private static final String HELLO_DIGEST = Digests.sha256(HELLO);

    @Test
    void givenVerifiedBytesWhenCommittedThenTheBlobIsVisibleAndReadable() {
        ContentStore store = new ContentStore(root);
        store.put(HELLO, HELLO_DIGEST);
        assertTrue(store.has(HELLO_DIGEST));
        assertArrayEquals(HELLO, store.read(HELLO_DIGEST));
        assertEquals(java.util.List.of(HELLO_DIGEST), store.list());
    }

    @Test
    void givenADigestMismatchThenNothingIsStoredAndTheErrorNamesBothDigests() {
        ContentStore store = new ContentStore(root);
        String wrong = Digests.sha256("something else".getBytes(StandardCharsets.UTF_8));
        ContentException e = assertThrows(ContentException.class, () -> store.put(HELLO, wrong));
        assertTrue(e.getMessage().contains(wrong) && e.getMessage().contains(HELLO_DIGEST), e.getMessage());
        assertFalse(store.has(wrong));
        assertTrue(store.list().isEmpty());
    }

    @Test
    void givenATruncatedDownloadThenCommitRefusesIt() {
        ContentStore store = new ContentStore(root);
        try (ContentStore.Ingest ingest = store.ingest(HELLO_DIGEST, HELLO.length)) {
            ingest.write(HELLO, 0, 100);
            ContentException e = assertThrows(ContentException.class, ingest::commit);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
        assertFalse(store.has(HELLO_DIGEST));
    }

    @Test
    void givenAnInterruptedIngestWhenReopenedThenItResumesAfterTheVerifiedBytes() {
        ContentStore store = new ContentStore(root);
        try (ContentStore.Ingest first = store.ingest(HELLO_DIGEST, HELLO.length)) {
            first.write(HELLO, 0, 5000);
        } // interrupted: closed without commit
        assertFalse(store.has(HELLO_DIGEST), "a partial blob is never visible");
        try (ContentStore.Ingest resumed = store.ingest(HELLO_DIGEST, HELLO.length)) {
            assertEquals(5000, resumed.offset());
            resumed.write(HELLO, 5000, HELLO.length - 5000);
            resumed.commit();
        }
        assertArrayEquals(HELLO, store.read(HELLO_DIGEST));
    }

    @Test
    void givenMoreBytesThanTheDescriptorSaysThenTheWriteIsRefused() {
        ContentStore store = new ContentStore(root);
        try (ContentStore.Ingest ingest = store.ingest(HELLO_DIGEST, 10)) {
            assertThrows(ContentException.class, () -> ingest.write(HELLO, 0, 11));
        }
    }

    @Test
    void givenAStoredBlobThenIngestIsAlreadyComplete() {
        ContentStore store = new ContentStore(root);
        store.put(HELLO);
        try (ContentStore.Ingest again = store.ingest(HELLO_DIGEST, HELLO.length)) {
            assertTrue(again.alreadyStored());
            assertEquals(HELLO.length, again.offset());
            again.commit();
        }
    }

    @Test
    void malformedDigestsAreRefused() {
        ContentStore store = new ContentStore(root);
        assertThrows(IllegalArgumentException.class, () -> store.has("sha256:ABC"));
        assertThrows(IllegalArgumentException.class, () -> store.ingest("md5:00", 1));
        assertFalse(Files.exists(root.resolve("blobs/sha256/ABC")));
    }

    @Test
    void givenManyIngestsOfOneBlobAtOnceThenEachSucceedsAndTheBlobIsWhole() throws Exception {
        ContentStore store = new ContentStore(root);
        byte[] blob = new byte[4 << 20];
        new java.util.Random(7).nextBytes(blob);
        String digest = Digests.sha256(blob);
        int writers = 8;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(writers);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
        try {
            java.util.List<java.util.concurrent.Future<?>> results = new java.util.ArrayList<>();
            for (int i = 0; i < writers; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    try (ContentStore.Ingest ingest = store.ingest(digest, blob.length)) {
                        for (int from = (int) ingest.offset(); from < blob.length; from += 64 << 10) {
                            ingest.write(blob, from, Math.min(64 << 10, blob.length - from));
                            Thread.yield();
                        }
                        ingest.commit();
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> result : results) {
                result.get(60, java.util.concurrent.TimeUnit.SECONDS); // throws what a writer threw
            }
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(blob, store.read(digest));
        try (java.util.stream.Stream<Path> partials = Files.list(root.resolve("ingest"))) {
            assertEquals(0, partials.count(), "no partial file is left behind");
        }
    }
}
