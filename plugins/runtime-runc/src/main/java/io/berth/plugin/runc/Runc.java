package io.berth.plugin.runc;

import io.berth.text.json.Json;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ContainerRuntimeException.Reason;
import io.berth.spi.runtime.ContainerState;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * runc's command line, always with berth's own state directory ({@code --root}) so berth's
 * containers never mix with other users of runc on the host, and with JSON log lines so its
 * errors can be read reliably.
 *
 * <pre>
 * runc --root ROOT --log-format json state|start|kill|delete [--force]|list --format json …
 * </pre>
 *
 * @param program the runc binary
 * @param root    runc's state directory ({@code --root})
 */
record Runc(Path program, Path root) {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** @return the global options every call starts with: {@code runc --root ROOT --log-format json} */
    List<String> base() {
        return List.of(program.toString(), "--root", root.toString(), "--log-format", "json");
    }

    /**
     * {@code runc state ID}.
     *
     * @return the state, or empty if runc does not know the container
     */
    Optional<ContainerState> state(String id) throws ContainerRuntimeException {
        Command result = run(id, "state", id);
        if (result.exitCode() != 0) {
            String error = errorMessage(result);
            if (error.contains("does not exist")) {
                return Optional.empty();
            }
            throw failure(id, "state", error);
        }
        try {
            return Optional.of(parseState(RuncJson.object(result.stdout(), "runc")));
        } catch (IOException | RuntimeException e) {
            throw new ContainerRuntimeException(Reason.FAILED, "container " + id + ": runc state printed what berth cannot read ("
                    + e.getMessage() + "): " + RuncJson.abbreviate(result.stdout()), e);
        }
    }

    /**
     * Whether runc has state for the container: its directory under runc's root, which runc makes
     * at create and removes at delete. Cheaper than {@link #state} (no process).
     */
    boolean knows(String id) {
        return java.nio.file.Files.exists(root.resolve(id));
    }

    void start(String id) throws ContainerRuntimeException {
        check(id, "start", run(id, "start", id));
    }

    void kill(String id, int signal) throws ContainerRuntimeException {
        check(id, "kill", run(id, "kill", id, Integer.toString(signal)));
    }

    void delete(String id, boolean force) throws ContainerRuntimeException {
        Command result = force ? run(id, "delete", "--force", id) : run(id, "delete", id);
        if (result.exitCode() != 0 && !errorMessage(result).contains("does not exist")) {
            throw failure(id, "delete", errorMessage(result));
        }
    }

    /** {@code runc pause ID}: the cgroup freezer stops every process of the container. */
    void pause(String id) throws ContainerRuntimeException {
        check(id, "pause", run(id, "pause", id));
    }

    /** {@code runc resume ID}: thaws a paused container. */
    void resume(String id) throws ContainerRuntimeException {
        check(id, "resume", run(id, "resume", id));
    }

    /** {@code runc ps --format json ID}: the host pids in the container's cgroup. */
    List<Long> processes(String id) throws ContainerRuntimeException {
        Command result = run(id, "ps", "--format", "json", id);
        check(id, "ps", result);
        try {
            List<Long> pids = new ArrayList<>();
            if (Json.parse(result.stdout().isBlank() ? "null" : result.stdout()) instanceof List<?> entries) {
                for (Object entry : entries) {
                    if (entry instanceof Number n) {
                        pids.add(n.longValue());
                    }
                }
            }
            return pids;
        } catch (IOException e) {
            throw new ContainerRuntimeException(Reason.FAILED, "container " + id + ": runc ps printed what berth cannot read: "
                    + RuncJson.abbreviate(result.stdout()), e);
        }
    }

    /** {@code runc events --stats ID}: one sample of the container's cgroup counters, as runc's JSON. */
    Map<String, Object> stats(String id) throws ContainerRuntimeException {
        Command result = run(id, "events", "--stats", id);
        check(id, "events --stats", result);
        try {
            return RuncJson.object(result.stdout(), "runc");
        } catch (IOException e) {
            throw new ContainerRuntimeException(Reason.FAILED, "container " + id + ": runc events --stats printed what berth cannot read: "
                    + RuncJson.abbreviate(result.stdout()), e);
        }
    }

    /** {@code runc update FLAGS ID}: new resource limits for a running container. */
    void update(String id, List<String> flags) throws ContainerRuntimeException {
        List<String> arguments = new ArrayList<>(List.of("update"));
        arguments.addAll(flags);
        arguments.add(id);
        check(id, "update", run(id, arguments.toArray(String[]::new)));
    }

    /** {@code runc list --format json}: the ids under berth's root. */
    List<String> list() throws ContainerRuntimeException {
        Command result = run(null, "list", "--format", "json");
        if (result.exitCode() != 0) {
            throw failure(null, "list", errorMessage(result));
        }
        try {
            Object parsed = Json.parse(result.stdout().isBlank() ? "null" : result.stdout());
            List<String> ids = new ArrayList<>();
            if (parsed instanceof List<?> entries) {
                for (Object entry : entries) {
                    if (entry instanceof Map<?, ?> m && m.get("id") instanceof String id) {
                        ids.add(id);
                    }
                }
            }
            return ids;
        } catch (IOException e) {
            throw new ContainerRuntimeException(Reason.FAILED, "runc list printed what berth cannot read: "
                    + RuncJson.abbreviate(result.stdout()), e);
        }
    }

    static ContainerState parseState(Map<String, Object> json) {
        String id = Json.text(json, "id");
        ContainerState.Status status = switch (Json.text(json, "status")) {
            case "creating" -> ContainerState.Status.CREATING;
            case "created" -> ContainerState.Status.CREATED;
            case "running" -> ContainerState.Status.RUNNING;
            case "paused" -> ContainerState.Status.PAUSED;
            case "stopped" -> ContainerState.Status.STOPPED;
            default -> throw new IllegalArgumentException("unknown status \"" + Json.text(json, "status") + "\"");
        };
        Instant created;
        try {
            created = Instant.parse(Json.text(json, "created"));
        } catch (DateTimeParseException e) {
            created = Instant.EPOCH;
        }
        long pid = status == ContainerState.Status.STOPPED ? 0 : RuncJson.number(json, "pid");
        return new ContainerState(id, status, pid, Path.of(Json.text(json, "bundle")), created);
    }

    /**
     * The message of the last error line runc printed: its JSON log lines on standard error
     * ({@code {"level":"error","msg":"…"}}), else the first non-blank line.
     */
    static String errorMessage(Command result) {
        String message = lastErrorInLog(result.stderr());
        return message.isEmpty() ? result.firstErrorLine() : message;
    }

    /**
     * @param log runc's JSON log lines
     * @return the message of the last line at level error (or fatal), or ""
     */
    static String lastErrorInLog(String log) {
        String message = "";
        for (String line : log.split("\n")) {
            if (!line.startsWith("{")) {
                continue;
            }
            try {
                Map<String, Object> entry = RuncJson.object(line, "runc's log");
                String level = Json.text(entry, "level");
                if (level.equals("error") || level.equals("fatal")) {
                    message = Json.text(entry, "msg");
                }
            } catch (IOException e) {
                // not a log line: skip it
            }
        }
        return message.strip().replace('\n', ' ');
    }

    private void check(String id, String operation, Command result) throws ContainerRuntimeException {
        if (result.exitCode() != 0) {
            throw failure(id, operation, errorMessage(result));
        }
    }

    static ContainerRuntimeException failure(String id, String operation, String error) {
        Reason reason;
        if (error.contains("does not exist")) {
            reason = Reason.NOT_FOUND;
        } else if (error.contains("not running") || error.contains("has stopped") || error.contains("already running")
                || error.contains("is not in created state") || error.contains("is paused") || error.contains("cannot delete")
                || error.contains("not paused") || error.contains("is not running")) {
            reason = Reason.WRONG_STATE;
        } else if (error.contains("already exists")) {
            reason = Reason.ALREADY_EXISTS;
        } else {
            reason = Reason.FAILED;
        }
        String subject = id == null ? "" : "container " + id + ": ";
        return new ContainerRuntimeException(reason, subject + "runc " + operation + ": " + (error.isEmpty() ? "failed" : error));
    }

    private Command run(String id, String... arguments) throws ContainerRuntimeException {
        List<String> command = new ArrayList<>(base());
        command.addAll(List.of(arguments));
        try {
            return Command.run(command, TIMEOUT);
        } catch (Command.TimeoutException e) {
            throw new ContainerRuntimeException(Reason.TIMEOUT, (id == null ? "" : "container " + id + ": ") + e.getMessage(), e);
        } catch (IOException e) {
            throw new ContainerRuntimeException(Reason.NOT_USABLE, "cannot run " + program + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerRuntimeException(Reason.FAILED, "interrupted while running " + String.join(" ", command), e);
        }
    }
}
