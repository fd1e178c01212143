package io.berth.engine.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.api.ApiExchange;
import java.io.IOException;

/**
 * Progress as Docker's JSON message stream: one object per line, {@code {"status","id","progressDetail",
 * "progress"}}, and {@code {"errorDetail":{"message"},"error"}} for a failure. A client that hangs
 * up stops receiving; the operation itself carries on. Builds write their stream through it too.
 */
public final class JsonProgress implements PullProgress {
    private final ApiExchange.LineStream out;
    private final ObjectMapper mapper;
    private boolean clientGone;

    public JsonProgress(ApiExchange.LineStream out, ObjectMapper mapper) {
        this.out = out;
        this.mapper = mapper;
    }

    @Override
    public synchronized void status(String id, String status) {
        ObjectNode node = mapper.createObjectNode();
        node.put("status", status);
        if (id != null) {
            node.put("id", id);
        }
        write(node);
    }

    @Override
    public synchronized void progress(String id, String status, long current, long total) {
        ObjectNode node = mapper.createObjectNode();
        node.put("status", status);
        ObjectNode detail = node.putObject("progressDetail");
        detail.put("current", current);
        detail.put("total", total);
        node.put("progress", bar(current, total));
        node.put("id", id);
        write(node);
    }

    /** A line with {@code stream} text, as Docker's load and build answers carry. */
    public synchronized void stream(String text) {
        ObjectNode node = mapper.createObjectNode();
        node.put("stream", text);
        write(node);
    }

    public synchronized void error(String message) {
        ObjectNode node = mapper.createObjectNode();
        node.putObject("errorDetail").put("message", message);
        node.put("error", message);
        write(node);
    }

    /** Writes one message as a line; after the client hung up, nothing. */
    public synchronized void write(ObjectNode node) {
        if (clientGone) {
            return;
        }
        try {
            out.write(mapper.writeValueAsBytes(node));
        } catch (IOException e) {
            clientGone = true;
        }
    }

    /** Docker's text bar, e.g. {@code [=====>     ]  1.2MB/2.4MB}. */
    static String bar(long current, long total) {
        int width = 50;
        int filled = total > 0 ? (int) Math.min(width, current * width / total) : 0;
        StringBuilder bar = new StringBuilder("[");
        for (int i = 0; i < width; i++) {
            bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        return bar.append("] ").append(human(current)).append('/').append(human(total)).toString();
    }

    static String human(long bytes) {
        if (bytes < 1000) {
            return bytes + "B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.3g%s", value, units[unit]);
    }
}
