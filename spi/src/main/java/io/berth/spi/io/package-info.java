/**
 * Streams the engine and the plugins pass content through: {@link io.berth.spi.io.InspectingInputStream}
 * is the base of the filters that must see every byte (digest checks, exact sizes).
 */
package io.berth.spi.io;
