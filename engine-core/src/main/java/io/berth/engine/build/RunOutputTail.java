package io.berth.engine.build;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Deque;

/**
 * Follows conmon's log file of a RUN ({@code TIME STREAM F|P TEXT}) and streams the text to the
 * build's output. Memory stays bounded whatever the command prints: the file is read 1 MiB at a
 * time, a line that never ends is passed on in pieces (of at most twice {@link #MAX_HELD_LINE} characters),
 * and a failed step's record keeps the last {@link #LAST_LINES} lines, each cut to its last
 * {@link #KEPT_LINE_END} characters.
 */
final class RunOutputTail {
    static final int LAST_LINES = 20;
    /** The most of one output line held before it is passed on in pieces (a RUN may print a line that never ends). */
    static final int MAX_HELD_LINE = 64 * 1024;
    /** How much of a line's end a failed step's record keeps (the event log is no place for megabyte lines). */
    static final int KEPT_LINE_END = 1024;

    private final Path file;
    private long offset;
    private final StringBuilder pending = new StringBuilder();
    private final StringBuilder partialLine = new StringBuilder();
    private boolean lineCut;

    private final BuildOutput out;
    private final boolean quiet;

    RunOutputTail(Path file, BuildOutput out, boolean quiet) {
        this.file = file;
        this.out = out;
        this.quiet = quiet;
    }

    void drain(Deque<String> lastLines) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            if (length <= offset) {
                return;
            }
            byte[] bytes = new byte[(int) Math.min(length - offset, 1 << 20)];
            raf.seek(offset);
            raf.readFully(bytes);
            offset += bytes.length;
            pending.append(new String(bytes, StandardCharsets.UTF_8));
        }
        int newline;
        int start = 0;
        StringBuilder text = new StringBuilder();
        while ((newline = pending.indexOf("\n", start)) >= 0) {
            String record = pending.substring(start, newline);
            start = newline + 1;
            // TIME STREAM TAG TEXT
            String[] parts = record.split(" ", 4);
            if (parts.length < 3) {
                continue;
            }
            String content = parts.length == 4 ? parts[3] : "";
            partialLine.append(content);
            if (parts[2].equals("F")) {
                String line = partialLine.toString();
                partialLine.setLength(0);
                text.append(line).append('\n');
                remember(lastLines, line);
            } else if (partialLine.length() >= MAX_HELD_LINE) {
                // a line that never ends: pass it on in pieces, keep none of it but its end
                text.append(partialLine, 0, partialLine.length() - KEPT_LINE_END);
                partialLine.delete(0, partialLine.length() - KEPT_LINE_END);
                lineCut = true;
            }
            if (text.length() >= MAX_HELD_LINE) {
                flushText(text);
            }
        }
        pending.delete(0, start); // once per read, not once per record
        flushText(text);
    }

    private void remember(Deque<String> lastLines, String line) {
        boolean cut = lineCut || line.length() > KEPT_LINE_END;
        lastLines.addLast(cut ? "[…]" + line.substring(Math.max(0, line.length() - KEPT_LINE_END)) : line);
        lineCut = false;
        if (lastLines.size() > LAST_LINES) {
            lastLines.removeFirst();
        }
    }

    private void flushText(StringBuilder text) {
        if (!text.isEmpty() && !quiet) {
            out.stream(text.toString());
        }
        text.setLength(0);
    }

    void flushPartial(Deque<String> lastLines) {
        if (!partialLine.isEmpty()) {
            String line = partialLine.toString();
            partialLine.setLength(0);
            remember(lastLines, line);
            if (!quiet) {
                out.stream(line + "\n");
            }
        }
    }
}
