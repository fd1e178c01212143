package io.berth.plugin.overlayfs;

import io.berth.spi.Digests;
import io.berth.spi.tck.TestPluginContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Measures unpacking and diffing speed on a tar given by {@code -Dberth.bench.tar=/path/to.tar}
 * (for example {@code tar -cf /tmp/usr.tar -C / usr/lib/python3.11}). Not a timed test: it prints
 * MB/s and runs only when the property is set.
 */
@EnabledIfSystemProperty(named = "berth.bench.tar", matches = ".+")
class UnpackBenchmarkTest {

    @TempDir
    Path dir;

    @Test
    void unpackAndDiffSpeed() throws Exception {
        Path tar = Path.of(System.getProperty("berth.bench.tar"));
        long bytes = Files.size(tar);
        double mb = bytes / 1e6;
        for (int round = 1; round <= 3; round++) {
            Path root = dir.resolve("round" + round);
            OverlayfsDriver driver = new OverlayfsDriver();
            driver.initialize(TestPluginContext.in(root, OverlayfsDriver.PLUGIN_ID, Map.of()));
            String chainId = Digests.sha256(("bench " + round).getBytes());
            long t0 = System.nanoTime();
            try (InputStream in = new BufferedInputStream(Files.newInputStream(tar), 1 << 20)) {
                driver.applyLayer(chainId, null, in);
            }
            long t1 = System.nanoTime();
            System.out.printf("unpack round %d: %.1f MB in %.2f s = %.0f MB/s%n", round, mb, (t1 - t0) / 1e9, mb / ((t1 - t0) / 1e9));
            if (round == 3) {
                // Diff speed: the same tree as a snapshot's upper directory, by committing nothing and
                // instead preparing a scratch snapshot whose upper is the unpacked layer's tree.
                driver.prepare("d", null);
                Path upper = root.resolve("root/plugins/store-overlayfs/snapshots/d/upper");
                Files.delete(upper);
                Files.move(root.resolve("root/plugins/store-overlayfs/layers").resolve(Digests.hex(chainId)).resolve("diff"), upper);
                long t2 = System.nanoTime();
                driver.diff("d", OutputStream.nullOutputStream());
                long t3 = System.nanoTime();
                System.out.printf("diff: %.1f MB tree in %.2f s = %.0f MB/s%n", mb, (t3 - t2) / 1e9, mb / ((t3 - t2) / 1e9));
                driver.removeSnapshot("d");
            }
        }
    }
}
