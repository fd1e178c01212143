package io.berth.spi.tck;

import io.berth.spi.BerthExtension;
import io.berth.spi.PluginContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks every berth extension passes, whatever its extension point. The three contracts extend
 * it; plugin authors extend one of those, not this class.
 *
 * <p>Before each check the kit creates a {@link TestPluginContext} in a fresh temporary directory,
 * asks {@link #newExtension(PluginContext)} for a new, uninitialized extension, and calls
 * {@link BerthExtension#initialize initialize} with that context, exactly as the engine does.
 * After each check it calls {@link BerthExtension#close close} on every extension it made.
 *
 * @param <X> the extension point
 */
public abstract class ExtensionContract<X extends BerthExtension> {

    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]*");

    /** The test's own temporary directory; the context's root lives under it. */
    @TempDir
    protected Path tempDir;

    /** The context the extension was initialized with. */
    protected TestPluginContext context;

    /** A new extension, initialized with {@link #context}. */
    protected X extension;

    private final List<X> made = new ArrayList<>();

    /**
     * Makes a new, uninitialized extension, as PF4J would (usually {@code new MyExtension()}).
     * The kit calls {@code initialize(ctx)} itself; {@code ctx} is passed for implementations
     * whose construction depends on it.
     *
     * @param ctx the context the kit is about to initialize it with
     * @return a new instance
     */
    protected abstract X newExtension(PluginContext ctx);

    /**
     * The plugin id used for the data directory. Override to match the plugin's {@code Plugin-Id}.
     *
     * @return a plugin id
     */
    protected String pluginId() {
        return "plugin-under-test";
    }

    /**
     * The options the extension is initialized with. Override to point the extension at
     * something specific to this host.
     *
     * @return the options, empty by default
     */
    protected Map<String, String> options() {
        return Map.of();
    }

    /** Creates the context and the initialized extension. */
    @BeforeEach
    void createExtension() {
        context = TestPluginContext.in(tempDir, pluginId(), options());
        extension = initialized(context);
    }

    /** Closes every extension the check made. */
    @AfterEach
    void closeExtensions() {
        made.forEach(BerthExtension::close);
        made.clear();
    }

    /**
     * A new extension, initialized with the given context, closed after the check.
     *
     * @param ctx the context
     * @return the extension
     */
    protected X initialized(PluginContext ctx) {
        X x = uninitialized(ctx);
        x.initialize(ctx);
        return x;
    }

    /**
     * A new extension that has not been initialized; closed after the check.
     *
     * @param ctx the context passed to the factory
     * @return the extension
     */
    protected X uninitialized(PluginContext ctx) {
        X x = newExtension(ctx);
        if (x == null) {
            fail("newExtension returned null");
        }
        made.add(x);
        return x;
    }

    @Test
    void givenAnExtension_whenAskedItsNameTwice_thenTheSameShortLowerCaseNameComesBack() {
        String name = extension.name();
        assertTrue(name != null && NAME.matcher(name).matches(),
                "name() must be a short lower-case name like \"runc\" (letters, digits, dashes), got \"" + name + "\"");
        assertEquals(name, extension.name(), "name() must not change between calls");
    }

    @Test
    void givenTwoInstances_whenAskedTheirNames_thenTheNamesAreEqual() {
        assertEquals(extension.name(), uninitialized(context).name(), "name() must be the same for every instance");
    }

    @Test
    void givenANewInstance_whenAskedItsNameBeforeInitialize_thenItEqualsTheNameAfter() {
        X fresh = uninitialized(context);
        String before = fresh.name();
        fresh.initialize(context);
        assertEquals(before, fresh.name(), "name() must not depend on initialize()");
    }

    @Test
    void givenTheImplementationClass_whenPf4jInstantiatesIt_thenItIsPublicWithAPublicNoArgumentConstructor() {
        Class<?> type = extension.getClass();
        assertTrue(Modifier.isPublic(type.getModifiers()), type.getName() + " must be public for PF4J to create it");
        assertDoesNotThrow(() -> type.getConstructor(), type.getName() + " needs a public no-argument constructor");
    }

    @Test
    void givenANewInstance_whenConstructed_thenItWroteNothingToItsDataDirectory() throws IOException {
        TestPluginContext other = TestPluginContext.in(tempDir.resolve("construct-only"), pluginId(), options());
        uninitialized(other);
        try (Stream<Path> entries = Files.list(other.dataDirectory())) {
            assertEquals(List.of(), entries.toList(), "the constructor must do no I/O; initialize() or later calls may");
        }
    }

    @Test
    void givenAnInstanceThatWasNeverInitialized_whenClosed_thenNothingIsThrown() {
        X fresh = uninitialized(context);
        assertDoesNotThrow(fresh::close, "close() must cope with an extension whose initialize() failed or never ran");
    }
}
