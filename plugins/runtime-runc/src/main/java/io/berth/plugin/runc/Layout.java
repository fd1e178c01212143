package io.berth.plugin.runc;

import io.berth.spi.fs.Sys;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the plugin keeps its state, all under its data directory so that a new daemon finds
 * everything the old one knew:
 *
 * <pre>
 * DATA/runc/                 runc's --root: its state.json per container
 * DATA/sockets/ID            conmon's --socket-dir-path: a symlink to the bundle, whose attach socket it is
 * DATA/containers/ID/        conmon's --persist-dir, and the plugin's record of the container:
 *     container.properties   bundle, exit file, log path, memory cgroup (written by create)
 *     conmon.pid             conmon's --conmon-pidfile
 *     runc.log               runc's JSON log of the create (where its error line is read)
 *     exit, oom              written by conmon when the container exits / hits its memory limit
 *     exec-EXECID.*          process spec, pid file and runc log of exec sessions
 * </pre>
 *
 * @param runcRoot   runc's {@code --root}
 * @param sockets    conmon's socket directory
 * @param containers the plugin's per-container directories
 */
record Layout(Path runcRoot, Path sockets, Path containers) {
    /** The layout under the plugin's data directory {@code data}. */
    static Layout under(Path data) {
        return new Layout(data.resolve("runc"), data.resolve("sockets"), data.resolve("containers"));
    }

    Path container(String id) {
        return containers().resolve(id);
    }

    Path conmonPidFile(String id) {
        return container(id).resolve("conmon.pid");
    }

    Path createLog(String id) {
        return container(id).resolve("runc.log");
    }

    Path persistedExit(String id) {
        return container(id).resolve("exit");
    }

    Path oomFile(String id) {
        return container(id).resolve("oom");
    }

    Path socketLink(String id) {
        return sockets().resolve(id);
    }

    private Path recordFile(String id) {
        return container(id).resolve("container.properties");
    }

    /**
     * What create recorded about a container.
     *
     * @param bundle       the bundle directory
     * @param exitFile     the exit file the engine asked for
     * @param logPath      the log file
     * @param memoryCgroup the container's memory cgroup directory, or "" if unknown
     * @param terminal     whether it has a pseudo-terminal
     */
    record Record(Path bundle, Path exitFile, Path logPath, String memoryCgroup, boolean terminal) {
    }

    void write(String id, Record record) throws IOException {
        Properties p = new Properties();
        p.setProperty("bundle", record.bundle().toString());
        p.setProperty("exitFile", record.exitFile().toString());
        p.setProperty("logPath", record.logPath().toString());
        p.setProperty("memoryCgroup", record.memoryCgroup());
        p.setProperty("terminal", Boolean.toString(record.terminal()));
        Path file = recordFile(id);
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            p.store(w, "runtime-runc: container " + id);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    Optional<Record> read(String id) throws IOException {
        Path file = recordFile(id);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return Optional.of(new Record(Path.of(p.getProperty("bundle", "/")), Path.of(p.getProperty("exitFile", "/")),
                Path.of(p.getProperty("logPath", "/")), p.getProperty("memoryCgroup", ""),
                Boolean.parseBoolean(p.getProperty("terminal", "false"))));
    }

    /**
     * Removes a directory tree, never following a symbolic link; what is already gone is fine.
     *
     * @param path the file or directory
     * @throws IOException if something exists and cannot be removed
     */
    static void removeTree(Path path) throws IOException {
        try (Sys sys = new Sys()) {
            sys.removeTree(path);
        }
    }
}
