/**
 * Value types of the {@link io.berth.spi.StorageDriver} contract: committed layers
 * ({@link io.berth.spi.storage.LayerInfo}), active snapshots ({@link io.berth.spi.storage.Snapshot}),
 * mounts ({@link io.berth.spi.storage.Mount}), chain ids ({@link io.berth.spi.storage.ChainIds})
 * and the driver's exception. The vocabulary is defined on {@link io.berth.spi.StorageDriver}.
 */
package io.berth.spi.storage;
