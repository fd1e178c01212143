package io.berth.cli.args;

/**
 * One argument of {@code berth cp}: {@code CONTAINER:PATH} or a local path, split as Docker's CLI splits it
 * ({@code splitCpArg}): an absolute path is always local, and so is anything without a colon or whose part
 * before the first colon starts with {@code .} ({@code ./file:name.txt}). {@code -} is standard input or output.
 *
 * @param container the container, or {@code null} for a local path
 * @param path      the path (in the container when {@code container} is set), as given
 */
public record CopyArg(String container, String path) {
    /** Splits one argument. */
    public static CopyArg parse(String arg) {
        if (arg.startsWith("/")) {
            return new CopyArg(null, arg);
        }
        int colon = arg.indexOf(':');
        if (colon < 0 || arg.startsWith(".")) {
            return new CopyArg(null, arg);
        }
        return new CopyArg(arg.substring(0, colon), arg.substring(colon + 1));
    }

    /** Whether this names a path in a container. */
    public boolean inContainer() {
        return container != null;
    }

    /** Whether this is {@code -}: a tar on standard input or output. */
    public boolean isStream() {
        return container == null && path.equals("-");
    }

    /**
     * The last component of {@code path} as Docker names a copy after it: trailing slashes ignored, {@code /}
     * for the root.
     */
    public static String baseName(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        int slash = p.lastIndexOf('/');
        String base = slash < 0 ? p : p.substring(slash + 1);
        return base.isEmpty() ? "/" : base;
    }

    /** Whether {@code path} asks for a directory's contents rather than the directory ({@code dir/.}). */
    public static boolean contentsOnly(String path) {
        return path.equals(".") || path.endsWith("/.") || path.endsWith("/./");
    }

    /** Whether {@code path} says it is a directory (ends with {@code /} or {@code /.}). */
    public static boolean assertsDirectory(String path) {
        return path.endsWith("/") || contentsOnly(path);
    }
}
