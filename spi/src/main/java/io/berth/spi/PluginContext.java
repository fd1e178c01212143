package io.berth.spi;

import java.nio.file.Path;
import java.util.Map;

/** Placeholder until the SPI lands; see the spi module. */
public interface PluginContext {
    Path rootDirectory();

    Path dataDirectory();

    Map<String, String> options();

    System.Logger logger();

    String engineVersion();
}
