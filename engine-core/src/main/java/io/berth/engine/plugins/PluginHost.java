package io.berth.engine.plugins;

import io.berth.engine.BerthVersion;
import io.berth.engine.journal.Journal;
import io.berth.engine.journal.RequestContext;
import io.berth.eventlog.events.PluginEvent;
import io.berth.spi.BerthExtension;
import io.berth.spi.ContainerRuntime;
import io.berth.spi.ImageRegistry;
import io.berth.spi.NetworkDriver;
import io.berth.spi.PluginContext;
import io.berth.spi.StorageDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/**
 * Loads PF4J plugin jars from the plugins directories at daemon start, starts them, initialises
 * their extensions and records the outcome of each as an event. A jar that fails at any step is
 * reported ({@code PluginFailed}, and {@code berth plugin ls} says why) and the daemon carries on.
 * The engine sees plugins only through the SPI's extension points; it never imports their classes.
 */
public final class PluginHost implements AutoCloseable {
    /** The extension points the engine looks for, in the order they are reported. */
    public static final List<Class<? extends BerthExtension>> EXTENSION_POINTS =
            List.of(ContainerRuntime.class, ImageRegistry.class, StorageDriver.class, NetworkDriver.class);

    private final List<Path> pluginDirectories;
    private final Path rootDirectory;
    private final Map<String, Map<String, String>> pluginOptions;
    private final PluginManager manager;
    private final Map<String, PluginStatus> statuses = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<Class<?>, List<BerthExtension>> extensions = new LinkedHashMap<>();
    private volatile List<String> unsafe = List.of();

    public PluginHost(List<Path> pluginDirectories, Path rootDirectory, Map<String, Map<String, String>> pluginOptions) {
        this.pluginDirectories = List.copyOf(pluginDirectories);
        this.rootDirectory = rootDirectory;
        this.pluginOptions = pluginOptions;
        this.manager = new DefaultPluginManager(this.pluginDirectories);
        this.manager.setSystemVersion(BerthVersion.releaseVersion());
    }

    /** Loads, starts and initialises every plugin jar, recording one event per jar. */
    public void loadAll(Journal journal, RequestContext context) {
        load();
        record(journal, context);
    }

    /**
     * Loads, starts and initialises every plugin jar without recording anything yet, so that the
     * daemon can do it while the event log opens; {@link #record} then writes one event per jar.
     */
    public void load() {
        for (Path jar : pluginJars()) {
            PluginStatus status = load(jar);
            statuses.put(status.id(), status);
        }
        List<String> found = new ArrayList<>();
        for (BerthExtension runtime : extensions.getOrDefault(ContainerRuntime.class, List.of())) {
            try {
                ((ContainerRuntime) runtime).probe().unsafe().forEach(check -> found.add(check.detail()));
            } catch (RuntimeException e) {
                // a probe that fails is reported by berth info; only a definite SECURITY check stops the daemon
            }
        }
        unsafe = List.copyOf(found);
    }

    /**
     * What the loaded runtimes' probes found unsafe ({@code Probe.Kind.SECURITY}), one line each:
     * the daemon refuses to start while this is not empty (a runc open to CVE-2024-21626, say).
     */
    public List<String> unsafe() {
        return unsafe;
    }

    /** Records the outcome of {@link #load()}: {@code PluginLoaded} or {@code PluginFailed} per jar, in load order. */
    public void record(Journal journal, RequestContext context) {
        for (PluginStatus status : statuses()) {
            if (status.started()) {
                journal.record(context, new PluginEvent.PluginLoaded(status.id(), status.version(), status.path(), status.extensions()));
            } else {
                journal.record(context, new PluginEvent.PluginFailed(status.id(), status.path(), status.error()));
            }
        }
    }

    private PluginStatus load(Path jar) {
        String fallbackId = jar.getFileName().toString();
        String pluginId;
        try {
            pluginId = manager.loadPlugin(jar);
        } catch (RuntimeException | LinkageError e) {
            return failed(fallbackId, jar, null, "cannot load " + jar.getFileName() + ": " + oneLine(e));
        }
        if (pluginId == null) {
            return failed(fallbackId, jar, null, "cannot load " + jar.getFileName() + ": not a PF4J plugin (no plugin descriptor found)");
        }
        PluginWrapper wrapper = manager.getPlugin(pluginId);
        if (wrapper.getPluginState() == PluginState.DISABLED || wrapper.getPluginState() == PluginState.FAILED
                && wrapper.getFailedException() == null) {
            String requires = wrapper.getDescriptor().getRequires();
            String reason = "requires berth " + requires + ", this is " + BerthVersion.releaseVersion();
            unload(pluginId);
            return failed(pluginId, jar, wrapper, reason);
        }
        PluginState state;
        try {
            state = manager.startPlugin(pluginId);
        } catch (RuntimeException | LinkageError e) {
            unload(pluginId);
            return failed(pluginId, jar, wrapper, "cannot start: " + oneLine(e));
        }
        if (state != PluginState.STARTED) {
            Throwable cause = wrapper.getFailedException();
            String reason = cause != null ? "cannot start: " + oneLine(cause) : "plugin ended in state " + state;
            unload(pluginId);
            return failed(pluginId, jar, wrapper, reason);
        }
        List<String> registered = new ArrayList<>();
        Map<Class<?>, List<BerthExtension>> initialised = new LinkedHashMap<>();
        try {
            for (Class<? extends BerthExtension> point : EXTENSION_POINTS) {
                for (BerthExtension extension : manager.getExtensions(point, pluginId)) {
                    extension.initialize(contextFor(pluginId));
                    initialised.computeIfAbsent(point, k -> new ArrayList<>()).add(extension);
                    registered.add(point.getSimpleName() + "=" + extension.getClass().getName());
                }
            }
        } catch (RuntimeException | LinkageError e) {
            unload(pluginId);
            return failed(pluginId, jar, wrapper, "cannot initialise its extensions: " + oneLine(e));
        }
        synchronized (extensions) {
            initialised.forEach((point, list) -> extensions.computeIfAbsent(point, k -> new ArrayList<>()).addAll(list));
        }
        return new PluginStatus(pluginId, wrapper.getDescriptor().getVersion(), "STARTED", jar.toString(),
                nullToEmpty(wrapper.getDescriptor().getProvider()), nullToEmpty(wrapper.getDescriptor().getRequires()),
                registered, null);
    }

    private PluginContext contextFor(String pluginId) {
        Path data = rootDirectory.resolve("plugins-data").resolve(pluginId);
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create plugin data directory " + data + ": " + e.getMessage(), e);
        }
        Map<String, String> options = Map.copyOf(pluginOptions.getOrDefault(pluginId, Map.of()));
        System.Logger logger = System.getLogger("berth.plugin." + pluginId);
        return new PluginContext() {
            @Override
            public Path rootDirectory() {
                return rootDirectory;
            }

            @Override
            public Path dataDirectory() {
                return data;
            }

            @Override
            public Map<String, String> options() {
                return options;
            }

            @Override
            public System.Logger logger() {
                return logger;
            }

            @Override
            public String engineVersion() {
                return BerthVersion.version();
            }
        };
    }

    private void unload(String pluginId) {
        try {
            manager.unloadPlugin(pluginId);
        } catch (RuntimeException e) {
            // already reported as failed; nothing more to do with it
        }
    }

    private static PluginStatus failed(String id, Path jar, PluginWrapper wrapper, String reason) {
        String version = wrapper == null ? "" : nullToEmpty(wrapper.getDescriptor().getVersion());
        String provider = wrapper == null ? "" : nullToEmpty(wrapper.getDescriptor().getProvider());
        String requires = wrapper == null ? "" : nullToEmpty(wrapper.getDescriptor().getRequires());
        return new PluginStatus(id, version, "FAILED", jar.toString(), provider, requires, List.of(), reason);
    }

    /** The plugin jars and zips in the plugins directories, each directory sorted by name. */
    private List<Path> pluginJars() {
        List<Path> jars = new ArrayList<>();
        for (Path directory : pluginDirectories) {
            if (!Files.isDirectory(directory)) {
                continue;
            }
            try (Stream<Path> files = Files.list(directory)) {
                files.filter(p -> {
                    String name = p.getFileName().toString();
                    return Files.isRegularFile(p) && (name.endsWith(".jar") || name.endsWith(".zip"));
                }).sorted().forEach(jars::add);
            } catch (IOException e) {
                statuses.put(directory.toString(), new PluginStatus(directory.toString(), "", "FAILED", directory.toString(),
                        "", "", List.of(), "cannot list plugins directory: " + e.getMessage()));
            }
        }
        return jars;
    }

    /** Every plugin jar seen at start, in load order. */
    public List<PluginStatus> statuses() {
        synchronized (statuses) {
            return List.copyOf(statuses.values());
        }
    }

    /** The initialised extensions of one extension point, from every started plugin. */
    @SuppressWarnings("unchecked")
    public <T extends BerthExtension> List<T> extensions(Class<T> point) {
        synchronized (extensions) {
            return (List<T>) List.copyOf(extensions.getOrDefault(point, List.of()));
        }
    }

    /** The first extension of a point, if any plugin provides one. */
    public <T extends BerthExtension> Optional<T> first(Class<T> point) {
        List<T> found = extensions(point);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
    }

    @Override
    public void close() {
        synchronized (extensions) {
            extensions.values().forEach(list -> list.forEach(extension -> {
                try {
                    extension.close();
                } catch (RuntimeException e) {
                    // closing is best effort at shutdown
                }
            }));
            extensions.clear();
        }
        // one at a time over a copy: PF4J 3.15's stopPlugins() fails with a ConcurrentModificationException
        for (PluginWrapper plugin : List.copyOf(manager.getStartedPlugins())) {
            try {
                manager.stopPlugin(plugin.getPluginId());
                manager.unloadPlugin(plugin.getPluginId());
            } catch (RuntimeException e) {
                // stopping is best effort at shutdown
            }
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && (root.getMessage() == null || root instanceof java.lang.reflect.InvocationTargetException)) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
