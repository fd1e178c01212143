package io.berth.engine.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/** Resolves uids to user names through the host's passwd file, caching what it finds. */
public final class UserNames {
    private final Path passwd;
    private final ConcurrentHashMap<Integer, String> cache = new ConcurrentHashMap<>();

    public UserNames() {
        this(Path.of("/etc/passwd"));
    }

    UserNames(Path passwd) {
        this.passwd = passwd;
    }

    /** The user name for {@code uid}, or the uid as text when the passwd file has none. */
    public String nameOf(int uid) {
        if (uid < 0) {
            return "unknown";
        }
        return cache.computeIfAbsent(uid, this::lookUp);
    }

    private String lookUp(int uid) {
        try {
            for (String line : Files.readAllLines(passwd)) {
                String[] fields = line.split(":", -1);
                if (fields.length > 2 && fields[2].equals(Integer.toString(uid))) {
                    return fields[0];
                }
            }
        } catch (IOException e) {
            // fall back to the number
        }
        return Integer.toString(uid);
    }
}
