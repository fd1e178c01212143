package io.berth.engine.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The daemon's pid file: refuses to start over a live daemon, replaces a stale file, removed at stop. */
final class PidFile {
    private final Path path;

    PidFile(Path path) {
        this.path = path;
    }

    void claim() {
        Optional<Long> existing = read();
        if (existing.isPresent() && existing.get() != ProcessHandle.current().pid()
                && ProcessHandle.of(existing.get()).map(ProcessHandle::isAlive).orElse(false)) {
            throw new StartupException("a daemon is already running with pid " + existing.get() + " (pid file " + path + ")");
        }
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
            Files.writeString(temporary, ProcessHandle.current().pid() + "\n");
            Files.move(temporary, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new StartupException("cannot write pid file " + path + ": " + HostPaths.reason(e));
        }
    }

    void release() {
        if (read().filter(pid -> pid == ProcessHandle.current().pid()).isPresent()) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // the next start replaces a stale pid file anyway
            }
        }
    }

    private Optional<Long> read() {
        try {
            return Optional.of(Long.parseLong(Files.readString(path).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
