package io.berth.engine.container;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Resolves Docker's {@code -u user[:group]} against a container's /etc/passwd and /etc/group, as
 * Docker does: names are looked up, numbers pass through (a uid not in passwd gets gid 0), the
 * user's supplementary groups come from /etc/group, after the primary group (Docker's
 * {@code getUser}); with {@code user:group} the named group is the only one.
 */
public final class ImageUsers {
    private ImageUsers() {}

    /**
     * The resolved identity.
     *
     * @param uid            user id
     * @param gid            primary group id
     * @param additionalGids the process's groups as Docker sets them: the primary group, then the user's
     *                       memberships in /etc/group (none when a group was named)
     * @param home           home directory from passwd, "/" when unknown
     */
    public record Identity(int uid, int gid, List<Integer> additionalGids, String home) {}

    /**
     * @throws IllegalArgumentException naming the user or group that is not in the image
     */
    public static Identity resolve(Path rootfs, String spec) throws IOException {
        String[] userAndGroup = (spec == null || spec.isBlank() ? "0" : spec.strip()).split(":", 2);
        String wanted = userAndGroup[0];
        String group = userAndGroup.length == 2 ? userAndGroup[1] : null;
        String[][] found = new String[1][];
        entries(rootfs, "/etc/passwd", line -> {
            if (line.length >= 7 && (line[0].equals(wanted) || isNumber(wanted) && line[2].equals(wanted))) {
                found[0] = line;
                return false;
            }
            return true;
        });
        String[] entry = found[0];
        int uid;
        int gid;
        String name;
        String home = "/";
        if (entry != null) {
            uid = Integer.parseInt(entry[2]);
            gid = Integer.parseInt(entry[3]);
            name = entry[0];
            home = entry[5].isEmpty() ? "/" : entry[5];
        } else if (isNumber(wanted)) {
            uid = Integer.parseInt(wanted);
            gid = 0;
            name = null;
        } else {
            throw new IllegalArgumentException("unable to find user " + wanted + ": no matching entries in passwd file");
        }
        if (group != null && !group.isEmpty()) {
            gid = groupId(rootfs, group);
        }
        // as Docker: the primary group is the first of the process's groups; a user's memberships in
        // /etc/group follow unless the group was named explicitly (then it is the only one)
        List<Integer> additional = new ArrayList<>();
        additional.add(gid);
        if (name != null && (group == null || group.isEmpty())) {
            entries(rootfs, "/etc/group", line -> {
                if (line.length >= 4 && !line[3].isEmpty() && List.of(line[3].split(",")).contains(name)) {
                    int id = Integer.parseInt(line[2]);
                    if (!additional.contains(id)) {
                        additional.add(id);
                    }
                }
                return additional.size() < MAX_GROUPS;
            });
        }
        return new Identity(uid, gid, List.copyOf(additional), home);
    }

    private static int groupId(Path rootfs, String group) throws IOException {
        int[] found = {-1};
        entries(rootfs, "/etc/group", line -> {
            if (line.length >= 3 && (line[0].equals(group) || line[2].equals(group))) {
                found[0] = Integer.parseInt(line[2]);
                return false;
            }
            return true;
        });
        if (found[0] >= 0) {
            return found[0];
        }
        if (isNumber(group)) {
            return Integer.parseInt(group);
        }
        throw new IllegalArgumentException("unable to find group " + group + ": no matching entries in group file");
    }

    /** Longest passwd or group line considered; no real entry comes near it. */
    static final int MAX_LINE = 64 * 1024;
    /** Largest passwd or group file read. */
    static final long MAX_FILE = 32L << 20;
    /** Most supplementary groups kept (Linux's NGROUPS_MAX is 65536). */
    private static final int MAX_GROUPS = 65536;

    /**
     * Streams the entries of the image's {@code file} (split at ':') to {@code visitor} until it
     * returns false. The file is never read whole: a line over {@link #MAX_LINE} bytes is skipped and
     * a file over {@link #MAX_FILE} bytes is refused, so an image cannot make a start, an exec or a
     * build step hold gigabytes (or read a device or a fifo: only a regular file is opened).
     */
    static void entries(Path rootfs, String file, Predicate<String[]> visitor) throws IOException {
        Path path = RootfsPaths.resolve(rootfs, file);
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS))) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            long total = 0;
            boolean tooLong = false;
            while (true) {
                int b = in.read();
                if (b >= 0 && ++total > MAX_FILE) {
                    throw new IllegalArgumentException("unable to read " + file + " of the image: it is larger than "
                            + (MAX_FILE >> 20) + " MiB");
                }
                if (b >= 0 && b != '\n') {
                    if (line.size() < MAX_LINE) {
                        line.write(b);
                    } else {
                        tooLong = true;
                    }
                    continue;
                }
                String text = line.toString(StandardCharsets.UTF_8);
                if (!tooLong && !text.isBlank() && !text.startsWith("#") && !visitor.test(text.split(":", -1))) {
                    return;
                }
                if (b < 0) {
                    return;
                }
                line.reset();
                tooLong = false;
            }
        }
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() < 10;
    }
}
