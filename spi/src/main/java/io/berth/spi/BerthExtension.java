package io.berth.spi;

/** Placeholder until the SPI lands; see the spi module. */
public interface BerthExtension extends org.pf4j.ExtensionPoint {
    String name();

    default void initialize(PluginContext context) {}

    default void close() {}
}
