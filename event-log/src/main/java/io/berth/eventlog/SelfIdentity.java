package io.berth.eventlog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The current process's real uid, read from /proc (the JDK has no portable call for it). */
final class SelfIdentity {
    private SelfIdentity() {}

    static int uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: unknown uid
        }
        return -1;
    }
}
