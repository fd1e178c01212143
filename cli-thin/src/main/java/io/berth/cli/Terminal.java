package io.berth.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether the process's standard streams are terminals, and how wide the terminal is. The JDK has no
 * {@code isatty} for one descriptor ({@code System.console()} answers for stdin and stdout together), so
 * this reads where {@code /proc/self/fd/N} points: a terminal is {@code /dev/pts/*}, {@code /dev/tty*} or
 * {@code /dev/console}.
 */
final class Terminal {
    private Terminal() {
    }

    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * The terminal's width: {@code $COLUMNS} if set, else what {@code stty size} reports for
     * {@code /dev/tty}, else 200 (Docker's default when it cannot tell).
     */
    static int width(Map<String, String> env) {
        String columns = env.get("COLUMNS");
        if (columns != null) {
            try {
                return Integer.parseInt(columns.strip());
            } catch (NumberFormatException ignored) {
                // fall through
            }
        }
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(new java.io.File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String s = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
            p.waitFor();
            int sp = s.indexOf(' ');
            if (sp > 0) {
                return Integer.parseInt(s.substring(sp + 1));
            }
        } catch (IOException | NumberFormatException e) {
            // no terminal
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 200;
    }
}
