package io.berth.spi.tck;

import io.berth.spi.Digests;
import io.berth.spi.Probe;
import io.berth.spi.StorageDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The conformance kit for {@link StorageDriver}s. Extend it in one line:
 *
 * <pre>{@code
 * class MyDriverContractTest extends StorageDriverContract {
 *     @Override protected StorageDriver newExtension(PluginContext ctx) { return new MyDriver(); }
 * }
 * }</pre>
 *
 * <p>Drivers mount filesystems, so the kit runs as root on a host where the driver works; a check
 * whose driver reports itself unusable fails with the probe's summary. After every check the kit
 * insists no mount is left under the test's directory — and detaches any it finds, so that the
 * temporary directory can still be removed.
 */
public abstract class StorageDriverContract extends ExtensionContract<StorageDriver> {

    /**
     * The probe on this host, failing the check with the probe's summary if the driver is not
     * usable here.
     *
     * @return the probe
     */
    protected Probe requireUsable() {
        Probe probe = extension.probe();
        if (!probe.usable()) {
            fail("the " + extension.name() + " storage driver is not usable on this host, so the conformance kit cannot check it: "
                    + probe.summary());
        }
        return probe;
    }

    /** Fails the check if it left a mount behind, after detaching it. */
    @AfterEach
    void noMountIsLeftBehind() {
        List<Path> left = Mounts.detachAll(tempDir);
        if (!left.isEmpty()) {
            fail("mounts were left behind (now detached): " + left);
        }
    }

    @Test
    void givenThisHost_whenProbed_thenTheDriverIsUsable() {
        requireUsable();
    }

    @Test
    void givenAProbe_whenItsChecksAreRead_thenUsableMeansNoProblemAndEveryCheckSaysSomething() {
        Probe probe = extension.probe();
        assertEquals(probe.usable(), probe.problems().isEmpty(), "usable() and problems() must agree: " + probe);
        for (Probe.Check check : probe.checks()) {
            assertFalse(check.detail().isBlank(), "check " + check.name() + " must say what it found or what is wrong");
        }
    }

    @Test
    void givenAProbe_whenItReturns_thenNoMountRemainsUnderTheRoot() {
        extension.probe();
        assertEquals(List.of(), Mounts.under(context.rootDirectory()), "probe() must unmount what it mounted");
    }

    @Test
    void givenAProbe_whenProbedAgain_thenTheAnswerIsTheSameAndNoFileWasLeftBehind() throws IOException {
        Probe first = extension.probe();
        List<String> afterFirst = tree(context.dataDirectory());
        Probe second = extension.probe();
        assertEquals(first.usable(), second.usable(), "probing twice must give the same answer: " + first + " / " + second);
        assertEquals(afterFirst, tree(context.dataDirectory()), "probe() must remove what it created to check the host");
    }

    @Test
    void givenALayerThatWasNeverApplied_whenAskedIfPresent_thenNo() {
        String chainId = Digests.sha256("never applied".getBytes(StandardCharsets.UTF_8));
        assertFalse(extension.hasLayer(chainId), "hasLayer must be false for a layer that was never applied");
    }

    @Test
    void givenALayerThatWasNeverApplied_whenAskedIfPresentTwice_thenStillNoAndNothingWasCreated() throws IOException {
        List<String> before = tree(context.dataDirectory());
        String chainId = Digests.sha256("never applied".getBytes(StandardCharsets.UTF_8));
        extension.hasLayer(chainId);
        assertFalse(extension.hasLayer(chainId));
        assertEquals(before, tree(context.dataDirectory()), "hasLayer must not create anything");
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {"", "../../../etc", "sha256:../../etc/passwd", "sha256:ABCDEF",
            "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeF",
            "md5:0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
    void givenAMalformedChainId_whenAskedIfPresent_thenIllegalArgumentNamesIt(String chainId) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> extension.hasLayer(chainId),
                "a chain id that is not sha256:<64 hex> must be refused before it touches the file system");
        assertTrue(e.getMessage().contains("\"" + chainId + "\""), "the message must quote the bad chain id: " + e.getMessage());
    }

    /**
     * Every path under a directory, relative to it, sorted.
     *
     * @param directory the directory
     * @return the relative paths
     * @throws IOException if the tree cannot be walked
     */
    protected static List<String> tree(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            return paths.map(p -> directory.relativize(p).toString()).sorted().toList();
        }
    }
}
