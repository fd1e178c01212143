package io.berth.engine.container;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;

/**
 * Reads a container's log as conmon writes it ({@code k8s-file}: one line per chunk,
 * {@code TIMESTAMP STREAM P|F CONTENT}, P for a partial line) and writes it the way Docker's
 * {@code /containers/{id}/logs} answers: for a container without a terminal, frames of
 * {@code [stream, 0, 0, 0, size (4 bytes, big endian)]} then the bytes; with a terminal, raw bytes.
 */
public final class ContainerLogs {
    private ContainerLogs() {}

    /**
     * What to read.
     *
     * @param stdout     include stdout
     * @param stderr     include stderr
     * @param timestamps prefix each line with its RFC 3339 time
     * @param tail       only the last N lines, -1 for all
     * @param since      only lines at or after this time, null for all
     * @param until      only lines before this time, null for all
     * @param follow     keep reading while {@code running} says the container runs
     * @param raw        write raw bytes (a container with a terminal) instead of frames
     */
    public record Options(boolean stdout, boolean stderr, boolean timestamps, int tail, Instant since, Instant until,
                          boolean follow, boolean raw) {}

    /** One parsed log line. */
    record Line(Instant time, String timeText, int stream, boolean partial, byte[] content) {}

    public static void copy(Path log, Options options, OutputStream out, BooleanSupplier running) throws IOException {
        long position = 0;
        if (Files.exists(log)) {
            if (options.tail() >= 0) {
                Deque<Line> last = new ArrayDeque<>();
                byte[] all = Files.readAllBytes(log);
                int start = 0;
                for (int i = 0; i < all.length; i++) {
                    if (all[i] == '\n') {
                        Line line = parse(new String(all, start, i - start, StandardCharsets.UTF_8));
                        if (line != null && selected(line, options)) {
                            last.addLast(line);
                            if (last.size() > options.tail()) {
                                last.removeFirst();
                            }
                        }
                        start = i + 1;
                    }
                }
                position = start;
                for (Line line : last) {
                    write(line, options, out);
                }
                out.flush();
            } else {
                position = emit(log, 0, options, out);
            }
        }
        while (options.follow()) {
            boolean stillRunning = running.getAsBoolean();
            long next = Files.exists(log) ? emit(log, position, options, out) : position;
            if (next == position && !stillRunning) {
                return;
            }
            position = next;
            if (next == position) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Emits complete lines from {@code position}; returns the position after the last complete line. */
    private static long emit(Path log, long position, Options options, OutputStream out) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            if (file.length() <= position) {
                return position;
            }
            file.seek(position);
            byte[] rest = new byte[(int) Math.min(file.length() - position, 8 << 20)];
            file.readFully(rest);
            int start = 0;
            for (int i = 0; i < rest.length; i++) {
                if (rest[i] == '\n') {
                    Line line = parse(new String(rest, start, i - start, StandardCharsets.UTF_8));
                    if (line != null && selected(line, options)) {
                        write(line, options, out);
                    }
                    start = i + 1;
                }
            }
            out.flush();
            return position + start;
        }
    }

    static Line parse(String text) {
        String[] parts = text.split(" ", 4);
        if (parts.length < 3) {
            return null;
        }
        Instant time;
        try {
            time = OffsetDateTime.parse(parts[0]).toInstant();
        } catch (RuntimeException e) {
            return null;
        }
        int stream = parts[1].equals("stderr") ? 2 : 1;
        boolean partial = parts[2].equals("P");
        String content = parts.length == 4 ? parts[3] : "";
        return new Line(time, parts[0], stream, partial, content.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean selected(Line line, Options options) {
        if (line.stream() == 1 && !options.stdout() || line.stream() == 2 && !options.stderr()) {
            return false;
        }
        if (options.since() != null && line.time().isBefore(options.since())) {
            return false;
        }
        return options.until() == null || line.time().isBefore(options.until());
    }

    private static void write(Line line, Options options, OutputStream out) throws IOException {
        byte[] prefix = options.timestamps() ? (line.time().toString() + " ").getBytes(StandardCharsets.UTF_8) : new byte[0];
        byte[] payload = new byte[prefix.length + line.content().length + (line.partial() ? 0 : 1)];
        System.arraycopy(prefix, 0, payload, 0, prefix.length);
        System.arraycopy(line.content(), 0, payload, prefix.length, line.content().length);
        if (!line.partial()) {
            payload[payload.length - 1] = '\n';
        }
        if (options.raw()) {
            out.write(payload);
            return;
        }
        frame(out, line.stream(), payload);
    }

    /** Docker's stream frame: type, three zero bytes, the length big-endian, the bytes. */
    public static void frame(OutputStream out, int stream, byte[] payload) throws IOException {
        int n = payload.length;
        out.write(new byte[] {(byte) stream, 0, 0, 0, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        out.write(payload);
    }
}
