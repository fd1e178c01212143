package io.berth.engine.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves Docker's {@code -u user[:group]} against a container's /etc/passwd and /etc/group, as
 * Docker does: names are looked up, numbers pass through (a uid not in passwd gets gid 0), the
 * user's supplementary groups come from /etc/group.
 */
public final class ImageUsers {
    private ImageUsers() {}

    /**
     * The resolved identity.
     *
     * @param uid            user id
     * @param gid            primary group id
     * @param additionalGids supplementary groups
     * @param home           home directory from passwd, "/" when unknown
     */
    public record Identity(int uid, int gid, List<Integer> additionalGids, String home) {}

    /**
     * @throws IllegalArgumentException naming the user or group that is not in the image
     */
    public static Identity resolve(Path rootfs, String spec) throws IOException {
        String user = spec == null || spec.isBlank() ? "0" : spec.strip();
        String group = null;
        int colon = user.indexOf(':');
        if (colon >= 0) {
            group = user.substring(colon + 1);
            user = user.substring(0, colon);
        }
        List<String[]> passwd = read(rootfs, "/etc/passwd");
        List<String[]> groups = read(rootfs, "/etc/group");
        String[] entry = null;
        for (String[] line : passwd) {
            if (line.length >= 7 && (line[0].equals(user) || isNumber(user) && line[2].equals(user))) {
                entry = line;
                break;
            }
        }
        int uid;
        int gid;
        String name;
        String home = "/";
        if (entry != null) {
            uid = Integer.parseInt(entry[2]);
            gid = Integer.parseInt(entry[3]);
            name = entry[0];
            home = entry[5].isEmpty() ? "/" : entry[5];
        } else if (isNumber(user)) {
            uid = Integer.parseInt(user);
            gid = 0;
            name = null;
        } else {
            throw new IllegalArgumentException("unable to find user " + user + ": no matching entries in passwd file");
        }
        if (group != null && !group.isEmpty()) {
            gid = groupId(groups, group);
        }
        List<Integer> additional = new ArrayList<>();
        if (name != null) {
            for (String[] line : groups) {
                if (line.length >= 4 && !line[3].isEmpty() && List.of(line[3].split(",")).contains(name)) {
                    int id = Integer.parseInt(line[2]);
                    if (id != gid && !additional.contains(id)) {
                        additional.add(id);
                    }
                }
            }
        }
        return new Identity(uid, gid, List.copyOf(additional), home);
    }

    private static int groupId(List<String[]> groups, String group) {
        for (String[] line : groups) {
            if (line.length >= 3 && (line[0].equals(group) || line[2].equals(group))) {
                return Integer.parseInt(line[2]);
            }
        }
        if (isNumber(group)) {
            return Integer.parseInt(group);
        }
        throw new IllegalArgumentException("unable to find group " + group + ": no matching entries in group file");
    }

    private static List<String[]> read(Path rootfs, String file) throws IOException {
        Path path = RootfsPaths.resolve(rootfs, file);
        if (!Files.isRegularFile(path)) {
            return List.of();
        }
        List<String[]> lines = new ArrayList<>();
        for (String line : Files.readAllLines(path)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                lines.add(line.split(":", -1));
            }
        }
        return lines;
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() < 10;
    }
}
