package io.berth.engine.container;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.OffsetDateTime;
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

    /**
     * The longest log line kept. conmon writes a long line in parts of a few KiB each, so a line
     * longer than this was not written by conmon; it is skipped, never held in memory whole.
     */
    static final int MAX_LINE = 1 << 20;
    private static final int BLOCK = 64 * 1024;

    /**
     * Writes the log to {@code out}, streamed: memory holds one block and one line, whatever the
     * log's size. {@code tail} is found by reading the file backwards from its end.
     */
    public static void copy(Path log, Options options, OutputStream out, BooleanSupplier running) throws IOException {
        copy(log, options, out, running, Pause.SLEEP);
    }

    /**
     * How a follow waits for more of the log: at most {@code millis}, sooner where it can tell the
     * container ended, so the last read and the end of the answer come at once after its exit rather
     * than a poll later.
     */
    @FunctionalInterface
    public interface Pause {
        /** Sleeps the whole time. */
        Pause SLEEP = millis -> Thread.sleep(millis);

        void await(long millis) throws InterruptedException;
    }

    /** {@link #copy(Path, Options, OutputStream, BooleanSupplier)}, waiting for more with {@code pause}. */
    public static void copy(Path log, Options options, OutputStream out, BooleanSupplier running, Pause pause) throws IOException {
        long position = 0;
        if (Files.exists(log)) {
            long end = Files.size(log);
            long start = options.tail() >= 0 ? tailStart(log, end, options) : 0;
            position = emit(log, start, end, options, out);
        }
        while (options.follow()) {
            boolean stillRunning = running.getAsBoolean();
            long next = Files.exists(log) ? emit(log, position, Long.MAX_VALUE, options, out) : position;
            if (next == position && !stillRunning) {
                return;
            }
            if (next == position) {
                try {
                    pause.await(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            position = next;
        }
    }

    /**
     * The offset of the first of the last {@code options.tail()} selected lines among the complete
     * lines before {@code end}: the file is read backwards, one block at a time.
     */
    static long tailStart(Path log, long end, Options options) throws IOException {
        try (FileChannel file = FileChannel.open(log, StandardOpenOption.READ)) {
            BackwardLines lines = new BackwardLines(file, Math.min(end, file.size()));
            long start = lines.completeEnd();
            int found = 0;
            while (found < options.tail()) {
                byte[] line = lines.previous();
                if (line == null) {
                    break;
                }
                start = lines.lineStart();
                Line parsed = line.length > MAX_LINE ? null : parse(new String(line, StandardCharsets.UTF_8));
                if (parsed != null && selected(parsed, options)) {
                    found++;
                }
            }
            return found < options.tail() ? 0 : start;
        }
    }

    /**
     * Emits the complete lines between {@code from} and {@code to} (or the file's end); returns the
     * offset after the last complete line, where a follower goes on.
     */
    private static long emit(Path log, long from, long to, Options options, OutputStream out) throws IOException {
        try (InputStream in = Files.newInputStream(log)) {
            in.skipNBytes(Math.min(from, Files.size(log)));
            byte[] buffer = new byte[BLOCK];
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            boolean tooLong = false;
            long position = from;
            long lineStart = from;
            int n;
            while (position < to && (n = in.read(buffer, 0, (int) Math.min(buffer.length, to - position))) > 0) {
                int segment = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != '\n') {
                        continue;
                    }
                    tooLong |= line.size() + (i - segment) > MAX_LINE;
                    if (!tooLong) {
                        line.write(buffer, segment, i - segment);
                        Line parsed = parse(line.toString(StandardCharsets.UTF_8));
                        if (parsed != null && selected(parsed, options)) {
                            write(parsed, options, out);
                        }
                    }
                    line.reset();
                    tooLong = false;
                    segment = i + 1;
                    lineStart = position + i + 1;
                }
                tooLong |= line.size() + (n - segment) > MAX_LINE;
                if (!tooLong) {
                    line.write(buffer, segment, n - segment);
                } else {
                    line.reset(); // a line no monitor wrote: skipped, never held whole
                }
                position += n;
            }
            out.flush();
            return lineStart;
        }
    }

    /** Reads a file's newline-terminated lines from the end towards the start, one block at a time. */
    private static final class BackwardLines {
        private final FileChannel file;
        private final ByteBuffer block = ByteBuffer.allocate(BLOCK);
        private long blockStart;
        private int blockLength;
        private final long completeEnd;
        private long cursor;

        BackwardLines(FileChannel file, long size) throws IOException {
            this.file = file;
            this.blockStart = size;
            long end = size;
            while (end > 0 && byteAt(end - 1) != '\n') {
                end--; // a partial last line is not complete yet
            }
            this.completeEnd = end;
            this.cursor = end;
        }

        long completeEnd() {
            return completeEnd;
        }

        long lineStart() {
            return cursor;
        }

        /** The line before the cursor (without its newline), or null at the file's start; a line over MAX_LINE comes back as MAX_LINE + 1 bytes. */
        byte[] previous() throws IOException {
            if (cursor <= 0) {
                return null;
            }
            long lineEnd = cursor - 1; // the newline
            long start = lineEnd;
            while (start > 0 && byteAt(start - 1) != '\n') {
                start--;
            }
            cursor = start;
            long length = lineEnd - start;
            if (length > MAX_LINE) {
                return new byte[MAX_LINE + 1];
            }
            byte[] line = new byte[(int) length];
            for (int i = 0; i < line.length; i++) {
                line[i] = byteAt(start + i);
            }
            return line;
        }

        private byte byteAt(long offset) throws IOException {
            if (offset < blockStart || offset >= blockStart + blockLength) {
                blockStart = Math.max(0, offset - BLOCK + 1);
                block.clear();
                blockLength = 0;
                while (block.hasRemaining()) {
                    int n = file.read(block, blockStart + block.position());
                    if (n < 0) {
                        break;
                    }
                }
                blockLength = block.position();
            }
            return block.get((int) (offset - blockStart));
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
