package io.berth.plugin.runc;

import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ExecHandle;
import io.berth.spi.runtime.ExitStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * An exec session without a terminal: {@code runc exec} run in the foreground as a child of the
 * daemon, its standard streams the JDK's pipes, its exit status runc's own (the process's code, or
 * 128 plus the signal). A failure of runc itself (the program is not in the image) is read from
 * runc's JSON log and reported as Docker does: 127 not found, 126 not executable.
 *
 * <pre>
 * runc --root ROOT --log-format json --log DATA/containers/ID/exec-EXECID.log \
 *      exec --process DATA/containers/ID/exec-EXECID.json --pid-file DATA/containers/ID/exec-EXECID.pid ID
 * </pre>
 */
final class RuncExec implements ExecHandle {

    private static final Duration PID_WAIT = Duration.ofSeconds(5);

    private final String label;
    private final Process process;
    private final Path pidFile;
    private final Path logFile;
    private final Path specFile;
    private final OutputStream stdin;
    private volatile ExitStatus exit;

    private RuncExec(String label, Process process, Path pidFile, Path logFile, Path specFile, boolean attachStdin) {
        this.label = label;
        this.process = process;
        this.pidFile = pidFile;
        this.logFile = logFile;
        this.specFile = specFile;
        if (!attachStdin) {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // nothing to close
            }
            this.stdin = OutputStream.nullOutputStream();
        } else {
            this.stdin = process.getOutputStream();
        }
    }

    static List<String> command(Runc runc, Path dir, String id, String execId) {
        List<String> command = new ArrayList<>(runc.base());
        command.addAll(List.of("--log", dir.resolve("exec-" + execId + ".log").toString(),
                "exec", "--process", dir.resolve("exec-" + execId + ".json").toString(),
                "--pid-file", dir.resolve("exec-" + execId + ".pid").toString(), id));
        return command;
    }

    static RuncExec start(Runc runc, Path dir, String id, String execId, byte[] processJson, boolean attachStdin)
            throws ContainerRuntimeException {
        Path spec = dir.resolve("exec-" + execId + ".json");
        Path pid = dir.resolve("exec-" + execId + ".pid");
        Path log = dir.resolve("exec-" + execId + ".log");
        String label = "container " + id + ", exec " + execId;
        try {
            Files.deleteIfExists(pid);
            Files.deleteIfExists(log);
            Files.write(spec, processJson);
            Process process = new ProcessBuilder(command(runc, dir, id, execId)).start();
            return new RuncExec(label, process, pid, log, spec, attachStdin);
        } catch (IOException e) {
            throw new ContainerRuntimeException(ContainerRuntimeException.Reason.FAILED, label + ": cannot run runc exec: " + e.getMessage(), e);
        }
    }

    @Override
    public long pid() {
        long deadline = System.nanoTime() + PID_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            OptionalLong pid = Conmon.readPid(pidFile);
            if (pid.isPresent()) {
                return pid.getAsLong();
            }
            if (!process.isAlive()) {
                return Conmon.readPid(pidFile).orElse(0);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
        return 0;
    }

    @Override
    public Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException {
        if (exit != null) {
            return Optional.of(exit);
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return Optional.empty();
        }
        int code = process.exitValue();
        String error = runcError();
        if (!error.isEmpty()) {
            String lower = error.toLowerCase(Locale.ROOT);
            // Docker: 127 when the program is not there, 126 for any other failure to run it
            code = lower.contains("executable file not found") || lower.contains("no such file or directory") ? 127 : 126;
        }
        exit = ExitFile.decode(code & 0xff, false, Instant.now());
        cleanUp();
        return Optional.of(exit);
    }

    /** @return runc's own error line, if runc (not the process) failed */
    String runcError() {
        try {
            return Runc.lastErrorInLog(Files.readString(logFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "";
        }
    }

    private void cleanUp() {
        try {
            Files.deleteIfExists(specFile);
            Files.deleteIfExists(pidFile);
            Files.deleteIfExists(logFile);
        } catch (IOException e) {
            // the container's directory goes with delete anyway
        }
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return process.getErrorStream();
    }

    @Override
    public void resize(int rows, int columns) {
        // no terminal: nothing to resize
    }

    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public String toString() {
        return label;
    }
}
