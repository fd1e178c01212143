/**
 * The contract between the berth engine and its plugins.
 *
 * <p>Start here: {@link io.berth.spi.BerthExtension} (what every extension shares) and
 * {@link io.berth.spi.PluginContext} (what the engine gives it). The four extension points sit
 * beside them, each with its vocabulary and lifecycles in its own documentation:
 * <ul>
 *   <li>{@link io.berth.spi.StorageDriver} — unpacked layers and container root filesystems
 *       (value types in {@link io.berth.spi.storage});</li>
 *   <li>{@link io.berth.spi.ImageRegistry} — the OCI distribution API (value types in
 *       {@link io.berth.spi.registry});</li>
 *   <li>{@link io.berth.spi.ContainerRuntime} — running containers from OCI bundles (value types
 *       in {@link io.berth.spi.runtime});</li>
 *   <li>{@link io.berth.spi.NetworkDriver} — networks, container endpoints, published ports and
 *       DNS for members' names (value types in {@link io.berth.spi.network}).</li>
 * </ul>
 * {@link io.berth.spi.Probe} is how a storage driver, runtime or network driver says whether it works on this
 * host. Optional operations are default methods that refuse with a "not supported" reason
 * (for example {@link io.berth.spi.ContainerRuntime#processes}), so a plugin written before them
 * still loads.
 *
 * <p>This package depends on the PF4J API only. Every implementation is checked by the
 * conformance kit in this module's test jar ({@code io.berth.spi.tck}).
 */
package io.berth.spi;
