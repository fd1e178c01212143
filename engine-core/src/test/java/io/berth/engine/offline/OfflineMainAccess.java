package io.berth.engine.offline;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/** Lets tests in other packages run {@link OfflineMain} in-process (its {@code main} exits the JVM). */
public final class OfflineMainAccess {
    private OfflineMainAccess() {}

    public static int run(List<String> args, PrintStream out) throws IOException {
        return OfflineMain.run(args, out);
    }
}
