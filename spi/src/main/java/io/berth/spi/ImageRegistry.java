package io.berth.spi;

/** Placeholder until the SPI lands. */
public interface ImageRegistry extends BerthExtension {}
