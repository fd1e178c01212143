/**
 * Small JSON documents as plain Java values, for plugins that talk JSON to a program (runc's
 * {@code state}, netavark's setup input and answer) or keep JSON state files: {@link io.berth.spi.json.JsonTree}
 * reads and writes them without a JSON library, so a plugin needs nothing besides the SPI for it.
 */
package io.berth.spi.json;
