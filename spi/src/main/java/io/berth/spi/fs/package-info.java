/**
 * Safe file-system access inside a directory tree berth does not trust: {@link io.berth.spi.fs.SafeRoot}
 * resolves every path inside a root and operates on descriptors; {@link io.berth.spi.fs.Sys} is berth's one
 * binding of the C library's file-system calls, shared by engine-core and the plugins.
 */
package io.berth.spi.fs;
