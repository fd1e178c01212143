/**
 * Value types of the {@link io.berth.spi.ImageRegistry} contract: references, descriptors,
 * platforms, credentials, resolved manifests and the registry's exceptions. The vocabulary is
 * defined on {@link io.berth.spi.ImageRegistry}.
 */
package io.berth.spi.registry;
