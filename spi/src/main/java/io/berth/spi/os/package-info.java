/**
 * berth's bindings of the C library for what the JDK lacks, one class per concern, all built on
 * {@link io.berth.spi.os.Native}: mounts ({@link io.berth.spi.os.MountCalls}), signals
 * ({@link io.berth.spi.os.Signals}), pseudo-terminals and FIFOs ({@link io.berth.spi.os.Terminals}),
 * Unix sockets ({@link io.berth.spi.os.Sockets}), descriptor I/O ({@link io.berth.spi.os.Descriptors}) and namespaces ({@link io.berth.spi.os.Namespaces}).
 * File-system calls live in {@link io.berth.spi.fs.Sys}. In spi because the engine and every plugin
 * may depend on it; the daemon runs with {@code --enable-native-access=ALL-UNNAMED}.
 */
package io.berth.spi.os;
