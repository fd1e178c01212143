package io.berth.spi;

import org.pf4j.ExtensionPoint;

/**
 * What every berth extension has in common: a short name, one {@link #initialize initialize} call
 * before use, and one {@link #close close} call at daemon stop.
 *
 * <h2>Vocabulary</h2>
 * <dl>
 *   <dt>plugin</dt>
 *   <dd>A PF4J plugin jar in the daemon's plugins directory. Its manifest names it
 *       ({@code Plugin-Id}), versions it ({@code Plugin-Version}) and says which engine versions it
 *       works with ({@code Plugin-Requires}). One plugin may carry several extensions.</dd>
 *   <dt>extension point</dt>
 *   <dd>One of the interfaces the engine looks up: {@link ContainerRuntime},
 *       {@link ImageRegistry}, {@link StorageDriver}, {@link NetworkDriver}.</dd>
 *   <dt>extension</dt>
 *   <dd>A class in a plugin that implements an extension point and is annotated with
 *       {@code @org.pf4j.Extension}, so that PF4J lists it in the jar's
 *       {@code META-INF/extensions.idx}.</dd>
 *   <dt>name</dt>
 *   <dd>The extension's short implementation name ({@code runc}, {@code oci},
 *       {@code overlayfs}). The daemon config selects an implementation by this name and the
 *       engine records it in events; it never changes for a given implementation.</dd>
 * </dl>
 *
 * <h2>Lifecycle</h2>
 * <ol>
 *   <li>PF4J instantiates the extension with its public no-argument constructor. The constructor
 *       does nothing that can fail: no I/O, no process, no network.</li>
 *   <li>The engine calls {@link #initialize(PluginContext)} exactly once, before any other method
 *       except {@link #name()}. The extension keeps the context; from here on it may use its
 *       {@link PluginContext#dataDirectory() data directory}.</li>
 *   <li>The engine calls the extension point's methods, possibly from several threads at once.
 *       Every implementation must be safe for concurrent use.</li>
 *   <li>At daemon stop the engine calls {@link #close()} once. Running containers, unpacked layers
 *       and mounted snapshots are <em>not</em> torn down by {@code close}: berth's containers
 *       survive a daemon restart.</li>
 * </ol>
 *
 * <p>Errors are values a user can act on: every exception an extension throws carries a one-line
 * message naming what failed, on which input, and, where there is one, what to do about it.
 */
public interface BerthExtension extends ExtensionPoint {

    /**
     * The short, stable implementation name: lower case letters, digits and dashes, for example
     * {@code runc}, {@code oci} or {@code overlayfs}.
     *
     * <p>May be called before {@link #initialize}; always returns the same value.
     *
     * @return the implementation name, never blank
     */
    String name();

    /**
     * Gives the extension its context. Called once, right after the engine obtains the extension
     * and before any other method except {@link #name()}.
     *
     * <p>Keep this cheap and do not fail here because the host lacks something: report that from
     * {@code probe()} where the extension point has one, so that the daemon can start and say what
     * is missing.
     *
     * @param context the daemon's directories, this plugin's options, a logger and the engine
     *                version
     */
    default void initialize(PluginContext context) {
    }

    /**
     * Releases what the extension holds in this process (thread pools, HTTP clients, open files).
     * Called once at daemon stop; also called after a failed {@link #initialize}, so it must cope
     * with a half-initialized extension. Does not stop containers or unmount snapshots.
     */
    default void close() {
    }
}
