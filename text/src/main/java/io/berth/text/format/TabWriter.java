package io.berth.text.format;

import java.util.ArrayList;
import java.util.List;

/**
 * Go's {@code text/tabwriter} as Docker's CLI sets it up for {@code --format "table …"} (minimum cell width
 * 10, padding 3, spaces): in each line a tab ends a cell; the cells of one column are aligned over each run
 * of consecutive lines that have that column (Go's column blocks), and the text after a line's last tab is
 * not padded.
 */
public final class TabWriter {
    private final int minWidth;
    private final int padding;
    private final List<String[]> lines = new ArrayList<>();
    private final List<Integer> widths = new ArrayList<>();
    private StringBuilder out;

    /** Docker's table writer: minimum width 10, padding 3. */
    public TabWriter() {
        this(10, 3);
    }

    TabWriter(int minWidth, int padding) {
        this.minWidth = minWidth;
        this.padding = padding;
    }

    /** Adds text: each {@code \n} ends a line, each {@code \t} a cell. */
    public TabWriter write(String text) {
        int from = 0;
        for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
            lines.add(text.substring(from, nl).split("\t", -1));
            from = nl + 1;
        }
        if (from < text.length()) {
            lines.add(text.substring(from).split("\t", -1));
        }
        return this;
    }

    /** The aligned text, one {@code \n} after each line. */
    public String flush() {
        out = new StringBuilder();
        widths.clear();
        format(0, lines.size());
        return out.toString();
    }

    private void format(int line0, int line1) {
        int column = widths.size();
        for (int i = line0; i < line1; i++) {
            if (column >= lines.get(i).length - 1) {
                continue;
            }
            writeLines(line0, i);
            line0 = i;
            int width = minWidth;
            for (; i < line1; i++) {
                String[] line = lines.get(i);
                if (column >= line.length - 1) {
                    break;
                }
                width = Math.max(width, cellWidth(line[column]) + padding);
            }
            widths.add(width);
            format(line0, i);
            widths.removeLast();
            line0 = i;
            i--; // the loop's increment looks at line i again, as Go's does
        }
        writeLines(line0, line1);
    }

    private void writeLines(int line0, int line1) {
        for (int i = line0; i < line1; i++) {
            String[] line = lines.get(i);
            for (int j = 0; j < line.length; j++) {
                out.append(line[j]);
                if (j < widths.size()) {
                    out.append(" ".repeat(Math.max(0, widths.get(j) - cellWidth(line[j]))));
                }
            }
            out.append('\n');
        }
    }

    private static int cellWidth(String cell) {
        return cell.codePointCount(0, cell.length());
    }
}
