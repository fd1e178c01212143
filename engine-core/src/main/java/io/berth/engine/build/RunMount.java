package io.berth.engine.build;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One {@code RUN --mount=…} as the Dockerfile reference defines it: comma-separated
 * {@code key=value} options (or bare flags such as {@code ro}, {@code rw}, {@code required}),
 * {@code type=bind} when no type is given. Parsing is pure: nothing is looked up or mounted here;
 * {@link RunMounts} does that for a step.
 *
 * @param type     what is mounted
 * @param target   the absolute path in the step's container, or empty (a secret's or ssh socket's default)
 * @param id       a cache's or secret's or ssh agent's id, empty when not given
 * @param sharing  a cache's sharing mode ({@code shared}, {@code private}, {@code locked})
 * @param from     the stage or image a bind or cache is based on, empty for the build context (bind) or nothing (cache)
 * @param source   the sub-path inside {@code from}, empty for its root
 * @param mode     a new cache directory's, secret file's or socket's mode, or -1 for the type's default
 * @param uid      owner of a new cache directory, secret file or socket
 * @param gid      group of a new cache directory, secret file or socket
 * @param readOnly whether the step may not write (a bind is read-only unless {@code rw})
 * @param required a secret or ssh agent that must be given to the build
 * @param env      the environment variable a secret is also (or only) exposed as, empty for none
 * @param size     a tmpfs's size limit in bytes, 0 for the kernel's default
 */
record RunMount(Type type, String target, String id, String sharing, String from, String source, int mode, int uid, int gid,
                boolean readOnly, boolean required, String env, long size) {

    /** The mount types of the reference. */
    enum Type { BIND, CACHE, TMPFS, SECRET, SSH }

    /**
     * Parses one {@code --mount} value (already expanded).
     *
     * @param workingDir the stage's working directory, against which a relative target is resolved
     * @throws BuildException naming the option at fault
     */
    static RunMount parse(String value, String workingDir) {
        Type type = Type.BIND;
        String target = "";
        String id = "";
        String sharing = "shared";
        String from = "";
        String source = "";
        int mode = -1;
        int uid = 0;
        int gid = 0;
        Boolean readOnly = null;
        boolean required = false;
        String env = "";
        long size = 0;
        List<String[]> options = new ArrayList<>();
        for (String field : splitFields(value)) {
            if (field.isBlank()) {
                continue;
            }
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            String v = eq < 0 ? null : field.substring(eq + 1);
            if (key.equals("type")) {
                if (v == null) {
                    throw bad(value, "type needs a value (bind, cache, tmpfs, secret or ssh)");
                }
                type = switch (v.toLowerCase(Locale.ROOT)) {
                    case "bind" -> Type.BIND;
                    case "cache" -> Type.CACHE;
                    case "tmpfs" -> Type.TMPFS;
                    case "secret" -> Type.SECRET;
                    case "ssh" -> Type.SSH;
                    default -> throw bad(value, "unsupported mount type \"" + v + "\" (bind, cache, tmpfs, secret or ssh)");
                };
            } else {
                options.add(new String[] {key, v});
            }
        }
        for (String[] option : options) {
            String key = option[0];
            String v = option[1];
            switch (key) {
                case "target", "dst", "destination" -> target = need(value, key, v);
                case "id" -> id = need(value, key, v);
                case "from" -> from = need(value, key, v);
                case "source", "src" -> source = need(value, key, v);
                case "ro", "readonly" -> readOnly = bool(value, key, v);
                case "rw", "readwrite" -> readOnly = !bool(value, key, v);
                case "required" -> required = bool(value, key, v);
                case "env" -> env = need(value, key, v);
                case "sharing" -> {
                    sharing = need(value, key, v).toLowerCase(Locale.ROOT);
                    if (!List.of("shared", "private", "locked").contains(sharing)) {
                        throw bad(value, "sharing=" + v + ": expected shared, private or locked");
                    }
                }
                case "mode" -> {
                    String m = need(value, key, v);
                    if (!m.matches("0?[0-7]{1,4}")) {
                        throw bad(value, "mode=" + m + ": not an octal file mode");
                    }
                    mode = Integer.parseInt(m, 8);
                }
                case "uid" -> uid = number(value, key, v);
                case "gid" -> gid = number(value, key, v);
                case "size" -> size = bytes(value, need(value, key, v));
                default -> throw bad(value, "unexpected key '" + key + "' in '" + value + "'");
            }
        }
        if (!env.isEmpty() && type != Type.SECRET) {
            throw bad(value, "env is only for type=secret");
        }
        switch (type) {
            case BIND, CACHE, TMPFS -> {
                if (target.isEmpty()) {
                    throw bad(value, "mount type=" + type.name().toLowerCase(Locale.ROOT) + " needs a target");
                }
            }
            case SECRET -> {
                if (id.isEmpty()) {
                    if (target.isEmpty()) {
                        throw bad(value, "a secret mount needs an id or a target (its id defaults to the target's file name)");
                    }
                    id = target.substring(target.lastIndexOf('/') + 1);
                }
                if (target.isEmpty() && env.isEmpty()) {
                    target = "/run/secrets/" + id;
                }
            }
            case SSH -> {
                if (id.isEmpty()) {
                    id = "default";
                }
            }
        }
        if (type == Type.CACHE && id.isEmpty()) {
            id = BuildExecution.clean(absolute(target, workingDir));
        }
        if (!target.isEmpty()) {
            target = BuildExecution.clean(absolute(target, workingDir));
            if (target.equals("/")) {
                throw bad(value, "cannot mount over the root directory");
            }
        }
        if (mode < 0) {
            mode = switch (type) {
                case CACHE -> 0755;
                case SECRET -> 0400;
                case SSH -> 0600;
                default -> -1;
            };
        }
        boolean ro = readOnly != null ? readOnly : type == Type.BIND || type == Type.SECRET || type == Type.SSH;
        return new RunMount(type, target, id, sharing, from, source, mode, uid, gid, ro, required, env, size);
    }

    /**
     * What the step's cache key sees of this mount: everything that changes what the command finds,
     * never a secret's value or a cache's contents.
     */
    String describe() {
        StringBuilder s = new StringBuilder("type=").append(type.name().toLowerCase(Locale.ROOT));
        if (!id.isEmpty() && type != Type.BIND && type != Type.TMPFS) {
            s.append(",id=").append(id);
        }
        if (!target.isEmpty()) {
            s.append(",target=").append(target);
        }
        if (!from.isEmpty()) {
            s.append(",from=").append(from);
        }
        if (!source.isEmpty()) {
            s.append(",source=").append(source);
        }
        if (type == Type.CACHE) {
            s.append(",sharing=").append(sharing);
        }
        if (type == Type.CACHE || type == Type.SECRET || type == Type.SSH) {
            s.append(",mode=0").append(Integer.toOctalString(mode)).append(",uid=").append(uid).append(",gid=").append(gid);
        }
        if (!env.isEmpty()) {
            s.append(",env=").append(env);
        }
        if (size > 0) {
            s.append(",size=").append(size);
        }
        if (required) {
            s.append(",required");
        }
        s.append(readOnly ? ",ro" : ",rw");
        return s.toString();
    }

    private static String absolute(String path, String workingDir) {
        return path.startsWith("/") ? path : (workingDir.isEmpty() ? "/" : workingDir) + "/" + path;
    }

    /** Fields split on commas, a double-quoted field kept whole (as a CSV reader would). */
    private static List<String> splitFields(String value) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw bad(value, "unbalanced quote");
        }
        fields.add(field.toString());
        return fields;
    }

    private static String need(String whole, String key, String v) {
        if (v == null || v.isEmpty()) {
            throw bad(whole, key + " needs a value");
        }
        return v;
    }

    private static boolean bool(String whole, String key, String v) {
        if (v == null || v.equalsIgnoreCase("true") || v.equals("1")) {
            return true;
        }
        if (v.equalsIgnoreCase("false") || v.equals("0")) {
            return false;
        }
        throw bad(whole, key + "=" + v + ": expected true or false");
    }

    private static int number(String whole, String key, String v) {
        try {
            int n = Integer.parseInt(need(whole, key, v));
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw bad(whole, key + "=" + v + ": not a non-negative number");
        }
    }

    /** {@code 64m}, {@code 1g}, {@code 1024} (bytes), as the reference's tmpfs size. */
    private static long bytes(String whole, String v) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)([kmgKMG]?)[bB]?").matcher(v);
        if (!m.matches()) {
            throw bad(whole, "size=" + v + ": not a size (like 64m)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            default -> n;
        };
    }

    private static BuildException bad(String whole, String problem) {
        return new BuildException("RUN --mount=" + whole + ": " + problem);
    }
}
