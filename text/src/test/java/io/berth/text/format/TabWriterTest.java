package io.berth.text.format;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Go's text/tabwriter with Docker's table settings (minimum width 10, padding 3). */
class TabWriterTest {
    @Test
    void cellsAreAlignedWithDockersMinimumAndPadding() {
        assertEquals("NAME      STATUS\nweb       Up\n", new TabWriter().write("NAME\tSTATUS\nweb\tUp\n").flush());
        assertEquals("NAME           STATUS\nweb            Up\nverylongname   Exited\n",
                new TabWriter().write("NAME\tSTATUS\nweb\tUp\nverylongname\tExited\n").flush());
    }

    @Test
    void columnBlocksEndWhereALineHasFewerCells() {
        // the middle line has no tab: it ends the block, and the lines after it are aligned on their own
        assertEquals("a         b\nplain\nlongercell   c\n",
                new TabWriter().write("a\tb\nplain\nlongercell\tc\n").flush());
    }

    @Test
    void textAfterTheLastTabIsNotPadded() {
        assertEquals("x         y         z\n", new TabWriter().write("x\ty\tz\n").flush());
    }
}
