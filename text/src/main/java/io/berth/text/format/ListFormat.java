package io.berth.text.format;

import io.berth.text.json.Json;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a list command's {@code --format} asks for, read as Docker's CLI reads it: nothing or {@code table}
 * is the command's own table; {@code json} is one JSON object per row; {@code table TEMPLATE} is a header
 * and the rows run through a {@link GoTemplate}, aligned by a {@link TabWriter}; any other text is a
 * template printed once per row. As Docker does, the literal two-character sequences {@code \t} and
 * {@code \n} in the option stand for a tab and a newline, and surrounding spaces are dropped.
 *
 * @param table    whether the template starts with {@code table}: a header row and aligned columns
 * @param json     whether the option is {@code json}: one JSON line per row
 * @param template the template run per row, or {@code null} for {@code json} and the default table
 * @param text     the option as given, for {@link #mentions}
 */
public record ListFormat(boolean table, boolean json, GoTemplate template, String text) {
    /**
     * Reads a {@code --format} value ({@code null} when the option was not given).
     *
     * @throws GoTemplate.TemplateException when it holds a template that cannot be read
     */
    public static ListFormat parse(String option) {
        if (option == null || option.isBlank() || option.strip().equals("table")) {
            return new ListFormat(true, false, null, "");
        }
        String f = option.strip();
        if (f.equals("json")) {
            return new ListFormat(false, true, null, f);
        }
        boolean table = f.startsWith("table");
        if (table) {
            f = f.substring("table".length()).strip();
        }
        f = f.replace("\\t", "\t").replace("\\n", "\n");
        return new ListFormat(table, false, GoTemplate.parse(f, true), f);
    }

    /** Whether the command's own table is wanted (no template). */
    public boolean defaultTable() {
        return table && template == null;
    }

    /** Whether the template's text holds {@code field} (Docker's CLI adds digest rows when it names {@code .Digest}). */
    public boolean mentions(String field) {
        return template != null && text.contains(field);
    }

    /** Whether one JSON object per row is wanted. */
    public boolean json() {
        return json;
    }

    /**
     * Prints {@code rows} through the template: with a {@code table} prefix, first the header (the same
     * template run on {@code headers}, Docker's column names by field), then aligned. A row's
     * {@link GoTemplate.Method} values (ps's {@code Label}) are what {@code {{.Label "k"}}} calls.
     */
    public void print(PrintStream out, List<Map<String, Object>> rows, Map<String, Object> headers) {
        StringBuilder text = new StringBuilder();
        if (table) {
            text.append(template.execute(headers)).append('\n');
        }
        for (Map<String, Object> row : rows) {
            text.append(template.execute(row)).append('\n');
        }
        out.print(table ? new TabWriter().write(text.toString()).flush() : text.toString());
    }

    /** A row as Docker's {@code --format json} prints it: one line, {@code < > &} escaped as Go's encoder does. */
    public static String jsonLine(Map<String, Object> row) {
        Map<String, Object> plain = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : row.entrySet()) {
            if (!(e.getValue() instanceof GoTemplate.Method)) {
                plain.put(e.getKey(), e.getValue());
            }
        }
        return Json.write(plain).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
    }
}
