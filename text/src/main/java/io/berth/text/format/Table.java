package io.berth.text.format;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A text table laid out like Docker's: left-aligned columns separated by three spaces, a header row. */
public final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;
    private int minWidth;

    /** A table with these column headers. */
    public Table(String... headers) {
        this.columns = headers.length;
        rows.add(headers);
    }

    /**
     * Makes every column but the last at least {@code width} characters wide, separator included, as
     * Docker's list commands do (their tab writer's minimum cell width is 10).
     */
    public Table minWidth(int width) {
        this.minWidth = width;
        return this;
    }

    /** Adds a row; missing cells are empty, {@code null} prints as empty. */
    public Table row(String... cells) {
        String[] r = new String[columns];
        for (int i = 0; i < columns; i++) {
            r[i] = i < cells.length && cells[i] != null ? cells[i] : "";
        }
        rows.add(r);
        return this;
    }

    /** Prints every row; the last column is not padded. */
    public void print(PrintStream out) {
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], r[i].codePointCount(0, r[i].length()));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            sb.setLength(0);
            for (int i = 0; i < columns; i++) {
                sb.append(r[i]);
                if (i < columns - 1) {
                    int cell = Math.max(width[i] + 3, minWidth);
                    sb.append(" ".repeat(cell - r[i].codePointCount(0, r[i].length())));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
