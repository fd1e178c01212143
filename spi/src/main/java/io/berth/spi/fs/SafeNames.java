package io.berth.spi.fs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Names as {@link SafeRoot} takes them: checked against the kernel's limits, split into
 * components, joined again, and quoted for one-line messages.
 */
final class SafeNames {

    private SafeNames() {
    }

    /**
     * Checks a name as a tar entry, a symbolic link's target or a client's path may hold it.
     *
     * @throws SafeFsException BAD_NAME: it holds a NUL byte, a component is longer than 255 bytes,
     *                         or the whole is longer than 4095 bytes
     */
    static void check(byte[] path) throws SafeFsException {
        if (path.length > SafeRoot.MAX_PATH) {
            throw new SafeFsException(SafeFsException.Reason.BAD_NAME,
                    quote(path) + ": the name is " + path.length + " bytes long, over the limit of " + SafeRoot.MAX_PATH);
        }
        int start = 0;
        for (int i = 0; i <= path.length; i++) {
            if (i == path.length || path[i] == '/') {
                if (i - start > SafeRoot.MAX_NAME) {
                    throw new SafeFsException(SafeFsException.Reason.BAD_NAME, quote(path) + ": a component is "
                            + (i - start) + " bytes long, over the limit of " + SafeRoot.MAX_NAME);
                }
                start = i + 1;
            } else if (path[i] == 0) {
                throw new SafeFsException(SafeFsException.Reason.BAD_NAME, quote(path) + ": the name holds a NUL byte");
            }
        }
    }

    /**
     * A path for a one-line message: quoted, read as UTF-8, with NUL, control characters and
     * quotes escaped, so a hostile name cannot break the line or forge another.
     */
    static String quote(byte[] path) {
        String s = new String(path, StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        int shown = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (++shown > 300) {
                b.append("…");
                break;
            }
            if (c == 0) {
                b.append("\\0");
            } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** The components of a path, without empty ones and {@code .}; checked first. */
    static List<byte[]> split(byte[] path) throws SafeFsException {
        check(path);
        List<byte[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= path.length; i++) {
            if (i == path.length || path[i] == '/') {
                int len = i - start;
                if (len > 0 && !(len == 1 && path[start] == '.')) {
                    byte[] c = new byte[len];
                    System.arraycopy(path, start, c, 0, len);
                    parts.add(c);
                }
                start = i + 1;
            }
        }
        return parts;
    }

    static boolean isDotDot(byte[] c) {
        return c.length == 2 && c[0] == '.' && c[1] == '.';
    }

    /** The first {@code n} components joined with {@code /}. */
    static byte[] join(List<byte[]> parts, int n) {
        int len = 0;
        for (int i = 0; i < n; i++) {
            len += parts.get(i).length + 1;
        }
        byte[] out = new byte[Math.max(0, len - 1)];
        int at = 0;
        for (int i = 0; i < n; i++) {
            byte[] c = parts.get(i);
            if (i > 0) {
                out[at++] = '/';
            }
            System.arraycopy(c, 0, out, at, c.length);
            at += c.length;
        }
        return out;
    }

    /** The resolved path so far plus {@code c}, for messages. */
    static byte[] here(Deque<byte[]> names, byte[] c) {
        List<byte[]> all = new ArrayList<>();
        names.descendingIterator().forEachRemaining(all::add);
        all.add(c);
        return join(all, all.size());
    }
}
