package io.berth.spi;

/** Placeholder until the SPI lands. */
public interface StorageDriver extends BerthExtension {}
