package io.berth.cli.format;

import io.berth.cli.http.BodyLines;
import io.berth.cli.http.HttpResponse;
import io.berth.text.format.Units;
import io.berth.text.json.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Renders Docker's JSON message stream (the answer of pull, push and load) the way Docker's CLI does
 * ({@code jsonmessage.DisplayJSONMessagesStream}).
 *
 * <p>On a terminal each message with an {@code id} (a layer) owns one line, redrawn in place: the cursor
 * moves up to that line ({@code ESC[nA}), clears it ({@code ESC[2K}), prints {@code id: status bar} and
 * moves back down ({@code ESC[nB}). A message without an id is printed on a line of its own and starts a
 * new group of layer lines. Otherwise (a pipe, a file) every message is one plain line
 * ({@code id: status}), except the byte counts of {@code Downloading}/{@code Pushing}, which are left out.
 *
 * <p>Docker's daemon marks layer messages with {@code progressDetail}; berth's sends it only with byte
 * counts, so every message with an id counts as a layer line here (Podman's CLI does the same).
 */
public final class JsonMessages {
    private final PrintStream out;
    private final boolean terminal;
    private final int width;
    private final Map<String, Integer> lines = new HashMap<>();

    /**
     * @param out      where to print
     * @param terminal whether {@code out} is a terminal (cursor movement, progress bars)
     * @param width    the terminal's width; the bar is drawn only when wider than 110, as Docker does
     */
    public JsonMessages(PrintStream out, boolean terminal, int width) {
        this.out = out;
        this.terminal = terminal;
        this.width = width;
    }

    /** A failure reported inside the stream ({@code {"error": …}}): the CLI prints it and exits 1. */
    public static final class StreamError extends IOException {
        public StreamError(String message) {
            super(message);
        }
    }

    /**
     * Reads and renders the whole stream.
     *
     * @param onMessage called with every message first (e.g. to remember a digest), or {@code null}
     * @throws StreamError the stream reported an error; the rest of the stream is not read
     */
    public void render(HttpResponse stream, java.util.function.Consumer<Map<String, Object>> onMessage) throws IOException {
        BodyLines lines = stream.lines();
        String line;
        while ((line = lines.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            Object v = Json.parse(line);
            if (!(v instanceof Map<?, ?>)) {
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> message = (Map<String, Object>) v;
            if (onMessage != null) {
                onMessage.accept(message);
            }
            display(message);
        }
        out.flush();
    }

    /** Renders one message. */
    public void display(Map<String, Object> m) throws StreamError {
        String error = Json.text(m, "error");
        String detail = Json.text(m, "errorDetail", "message");
        if (!error.isEmpty() || !detail.isEmpty()) {
            out.flush();
            throw new StreamError(detail.isEmpty() ? error : detail);
        }
        if (m.containsKey("aux")) {
            return;
        }
        String id = Json.text(m, "id");
        int diff = 0;
        if (!id.isEmpty()) {
            Integer line = lines.get(id);
            if (line == null) {
                line = lines.size();
                lines.put(id, line);
                if (terminal) {
                    out.print("\n");
                }
            }
            diff = lines.size() - line;
            if (terminal && diff > 0) {
                out.print("\u001b[" + diff + "A");
            }
        } else {
            lines.clear();
        }
        print(m, id);
        if (!id.isEmpty() && terminal && diff > 0) {
            out.print("\u001b[" + diff + "B");
        }
        if (terminal) {
            out.flush();
        }
    }

    private void print(Map<String, Object> m, String id) {
        String status = Json.text(m, "status");
        String stream = Json.text(m, "stream");
        long current = number(Json.at(m, "progressDetail", "current"));
        long total = number(Json.at(m, "progressDetail", "total"));
        String bar = progress(current, total);
        boolean hasProgress = m.containsKey("progressDetail");
        // On a terminal a layer's message is drawn over its line and ends with \r, not a new line.
        boolean layerLine = terminal && stream.isEmpty() && (hasProgress || !id.isEmpty());
        if (layerLine) {
            out.print("\u001b[2K\r");
        } else if (hasProgress && !bar.isEmpty()) {
            return; // byte counts are for terminals only
        }
        if (!id.isEmpty()) {
            out.print(id + ": ");
        }
        if (layerLine) {
            out.print(bar.isEmpty() ? status + "\r" : status + " " + bar + "\r");
        } else if (!stream.isEmpty()) {
            out.print(stream);
        } else {
            out.print(status + "\n");
        }
    }

    /** Docker's progress text: {@code [=====>      ]  1.2MB/4.3MB} (the bar only on wide terminals). */
    String progress(long current, long total) {
        if (current <= 0 && total <= 0) {
            return "";
        }
        if (total <= 0) {
            return pad(Units.humanSize(current));
        }
        int percentage = (int) ((double) current / total * 100) / 2;
        if (percentage > 50) {
            percentage = 50;
        }
        StringBuilder sb = new StringBuilder(80);
        if (width > 110) {
            sb.append('[').append("=".repeat(percentage)).append('>').append(" ".repeat(Math.max(0, 50 - percentage))).append("] ");
        }
        if (current > total) {
            sb.append(pad(Units.humanSize(current)));
        } else {
            sb.append(pad(Units.humanSize(current))).append('/').append(Units.humanSize(total));
        }
        return sb.toString();
    }

    private static String pad(String s) {
        return s.length() >= 8 ? s : " ".repeat(8 - s.length()) + s;
    }

    private static long number(Object v) {
        return v instanceof Number n ? n.longValue() : 0;
    }
}
