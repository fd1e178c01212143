package io.berth.spi.tck;

import io.berth.spi.BerthExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks a <em>built</em> plugin jar the way the daemon will load it: dropped into an empty
 * plugins directory and loaded by a real PF4J {@link DefaultPluginManager} told the engine's
 * version.
 *
 * <p>The jar only exists after Maven's {@code package} phase, so run this as an integration test
 * ({@code *IT}, with maven-failsafe) and pass the jar's path and the expected plugin id as the
 * system properties {@value #JAR_PROPERTY} and {@value #ID_PROPERTY}. Extending it takes one
 * line:
 *
 * <pre>{@code
 * class MyPluginJarIT extends PluginJarContract {
 *     MyPluginJarIT() { super(ContainerRuntime.class); }
 * }
 * }</pre>
 */
public abstract class PluginJarContract {

    /** System property naming the plugin jar to check. */
    public static final String JAR_PROPERTY = "berth.plugin.jar";
    /** System property naming the expected {@code Plugin-Id}. */
    public static final String ID_PROPERTY = "berth.plugin.id";

    private final Class<? extends BerthExtension> extensionPoint;
    private final List<PluginManager> managers = new ArrayList<>();

    /** A directory for the plugins directory and the test context. */
    @TempDir
    protected Path tempDir;

    /** The plugin jar under test. */
    protected Path jar;

    /**
     * @param extensionPoint the extension point the plugin must provide
     */
    protected PluginJarContract(Class<? extends BerthExtension> extensionPoint) {
        this.extensionPoint = Objects.requireNonNull(extensionPoint, "extensionPoint");
    }

    /** @return the {@code Plugin-Id} the jar must declare; by default the {@value #ID_PROPERTY} property */
    protected String expectedPluginId() {
        return required(ID_PROPERTY);
    }

    /** @return the engine version to load the plugin with */
    protected String engineVersion() {
        return TestPluginContext.ENGINE_VERSION;
    }

    /** Finds the jar. */
    @BeforeEach
    void findJar() {
        jar = Path.of(required(JAR_PROPERTY));
        if (!Files.isRegularFile(jar)) {
            fail("the plugin jar " + jar + " does not exist; it is built in the package phase, so run this check with mvn verify");
        }
    }

    /**
     * Stops and unloads every plugin the check loaded, releasing the jar. One plugin at a time:
     * PF4J 3.15's {@code stopPlugins()} throws ConcurrentModificationException as soon as a
     * plugin is started (pf4j/pf4j#656); the daemon must stop its plugins the same way.
     */
    @AfterEach
    void unload() {
        for (PluginManager m : managers) {
            for (PluginWrapper p : List.copyOf(m.getStartedPlugins())) {
                m.stopPlugin(p.getPluginId());
            }
            for (PluginWrapper p : List.copyOf(m.getPlugins())) {
                m.unloadPlugin(p.getPluginId());
            }
        }
        managers.clear();
    }

    @Test
    void givenTheJar_whenItsManifestIsRead_thenItNamesThePluginItsVersionClassEngineRangeAndProvider() throws IOException {
        Manifest manifest;
        try (JarFile file = new JarFile(jar.toFile())) {
            manifest = file.getManifest();
        }
        assertNotNull(manifest, jar + " has no manifest");
        var attributes = manifest.getMainAttributes();
        assertEquals(expectedPluginId(), attributes.getValue("Plugin-Id"), "Plugin-Id");
        for (String entry : List.of("Plugin-Version", "Plugin-Class", "Plugin-Requires", "Plugin-Provider")) {
            String value = attributes.getValue(entry);
            assertTrue(value != null && !value.isBlank(), jar + ": the manifest entry " + entry + " is missing or empty");
        }
    }

    @Test
    void givenTheJar_whenItsExtensionIndexIsRead_thenEveryListedExtensionIsInTheJar() throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            ZipEntry index = file.getEntry("META-INF/extensions.idx");
            assertNotNull(index, jar + " has no META-INF/extensions.idx: PF4J's annotation processor did not run at compile time");
            List<String> classes;
            try (InputStream in = file.getInputStream(index)) {
                classes = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
            }
            assertFalse(classes.isEmpty(), "META-INF/extensions.idx lists no extension");
            for (String name : classes) {
                assertNotNull(file.getEntry(name.replace('.', '/') + ".class"), "extensions.idx lists " + name + ", which is not in the jar");
            }
        }
    }

    @Test
    void givenTheJarInAPluginsDirectory_whenTheEngineLoadsIt_thenItStartsAndProvidesOneExtensionFromItsOwnClassLoader() throws IOException {
        PluginManager manager = load(engineVersion());
        PluginWrapper plugin = manager.getPlugin(expectedPluginId());
        assertNotNull(plugin, "PF4J did not load a plugin with id " + expectedPluginId() + " from " + jar);
        assertEquals(PluginState.STARTED, plugin.getPluginState(), "the plugin did not start: " + plugin.getFailedException());

        List<? extends BerthExtension> extensions = manager.getExtensions(extensionPoint, expectedPluginId());
        assertEquals(1, extensions.size(), "the plugin must provide exactly one " + extensionPoint.getSimpleName() + ", got " + extensions);
        BerthExtension extension = extensions.getFirst();
        assertSame(plugin.getPluginClassLoader(), extension.getClass().getClassLoader(),
                "the extension must come from the plugin jar, not from the class path");

        TestPluginContext context = TestPluginContext.in(tempDir.resolve("context"), expectedPluginId(), java.util.Map.of());
        extension.initialize(context);
        try {
            assertFalse(extension.name().isBlank(), "the loaded extension has a blank name");
        } finally {
            extension.close();
        }
    }

    @Test
    void givenAnEngineOlderThanThePluginRequires_whenItLoadsThePlugin_thenThePluginDoesNotStart() throws IOException {
        PluginManager manager = load("0.0.1");
        PluginWrapper plugin = manager.getPlugin(expectedPluginId());
        if (plugin != null) {
            assertNotEquals(PluginState.STARTED, plugin.getPluginState(),
                    "an engine at 0.0.1 started the plugin: Plugin-Requires must name the lowest engine version it works with, like >=0.1.0");
        }
        assertEquals(List.of(), manager.getExtensions(extensionPoint, expectedPluginId()),
                "a plugin that does not start must provide no extension");
    }

    private PluginManager load(String version) throws IOException {
        Path plugins = Files.createDirectories(tempDir.resolve("plugins-" + managers.size()));
        Files.copy(jar, plugins.resolve(jar.getFileName()));
        DefaultPluginManager manager = new DefaultPluginManager(plugins);
        managers.add(manager);
        manager.setSystemVersion(version);
        manager.loadPlugins();
        manager.startPlugins();
        return manager;
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            fail("the system property " + property + " is not set; configure it in maven-failsafe's systemPropertyVariables");
        }
        return value;
    }
}
