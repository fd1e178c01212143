/**
 * Value types of the {@link io.berth.spi.NetworkDriver} extension point: a network's definition,
 * a container's request to join one, what joining gave it, and the error a driver throws.
 */
package io.berth.spi.network;
