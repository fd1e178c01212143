/**
 * Value types of the {@link io.berth.spi.ContainerRuntime} contract: what to create
 * ({@link io.berth.spi.runtime.ContainerSpec}), what runs ({@link io.berth.spi.runtime.ContainerState}),
 * how it ended ({@link io.berth.spi.runtime.ExitStatus}), exec sessions and the runtime's
 * exception. The vocabulary is defined on {@link io.berth.spi.ContainerRuntime}.
 */
package io.berth.spi.runtime;
