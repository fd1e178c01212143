package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextCacheTest {
    @TempDir
    Path temp;

    private final AtomicInteger unpacks = new AtomicInteger();

    private ContextCache.Unpacker writing(String content) {
        return (in, into) -> {
            unpacks.incrementAndGet();
            Files.writeString(into.resolve("file.txt"), content);
        };
    }

    private Path tar() throws IOException {
        return Files.writeString(temp.resolve("context.tar"), "bytes of a tar");
    }

    private long unpackedDirectories(Path cacheDir) throws IOException {
        try (Stream<Path> list = Files.list(cacheDir)) {
            return list.count();
        }
    }

    @Test
    void givenTheSameContextTwiceThenTheSecondBuildUsesTheKeptDirectoryAndItsDigests() throws IOException {
        ContextCache cache = new ContextCache(temp.resolve("contexts"));
        Path root;
        try (ContextCache.Lease first = cache.acquire("sha256:a", tar(), writing("one"))) {
            assertFalse(first.reused());
            root = first.root();
            first.fileDigests().put("file.txt", "sha256:x 644");
        }
        try (ContextCache.Lease second = cache.acquire("sha256:a", tar(), writing("one"))) {
            assertTrue(second.reused());
            assertEquals(root, second.root());
            assertEquals("one", Files.readString(second.root().resolve("file.txt")));
            assertEquals("sha256:x 644", second.fileDigests().get("file.txt"));
        }
        assertEquals(1, unpacks.get());
    }

    @Test
    void givenMoreIdleContextsThanKeptThenTheOldestAreDeletedButNeverOneInUse() throws IOException {
        Path dir = temp.resolve("contexts");
        ContextCache cache = new ContextCache(dir);
        ContextCache.Lease held = cache.acquire("sha256:held", tar(), writing("held"));
        List<Path> roots = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            try (ContextCache.Lease lease = cache.acquire("sha256:" + i, tar(), writing("c" + i))) {
                roots.add(lease.root());
            }
        }
        assertTrue(Files.isDirectory(held.root()), "a context a build holds is never evicted");
        assertEquals(5, unpackedDirectories(dir), "four idle contexts kept, and the held one");
        assertFalse(Files.exists(roots.get(0)));
        assertFalse(Files.exists(roots.get(1)));
        assertTrue(Files.isDirectory(roots.get(5)));
        held.close();
    }

    @Test
    void givenAnUnpackThatFailsThenNothingIsLeftAndTheNextBuildUnpacksAgain() throws IOException {
        Path dir = temp.resolve("contexts");
        ContextCache cache = new ContextCache(dir);
        assertThrows(BuildException.class, () -> cache.acquire("sha256:bad", tar(), (in, into) -> {
            Files.writeString(into.resolve("half"), "x");
            throw new BuildException("invalid build context: entry ../x climbs out");
        }));
        assertEquals(0, unpackedDirectories(dir));
        try (ContextCache.Lease lease = cache.acquire("sha256:bad", tar(), writing("fine"))) {
            assertFalse(lease.reused());
        }
    }

    @Test
    void givenADaemonStartThenContextsLeftByTheLastRunAreRemoved() throws IOException {
        Path dir = temp.resolve("contexts");
        Files.createDirectories(dir.resolve("unpacked-1-1"));
        new ContextCache(dir);
        assertFalse(Files.exists(dir));
    }
}
