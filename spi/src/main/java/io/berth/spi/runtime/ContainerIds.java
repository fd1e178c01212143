package io.berth.spi.runtime;

import java.util.regex.Pattern;

/**
 * The rule for container and exec ids: 1 to 128 characters from {@code [A-Za-z0-9_.-]}, starting
 * with a letter or digit. The engine's 64-hex-digit ids qualify; an id can never be a path.
 */
public final class ContainerIds {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private ContainerIds() {
    }

    /**
     * @param id the string, may be {@code null}
     * @return whether it is a valid id
     */
    public static boolean isValid(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /**
     * @param id the id to check
     * @return {@code id}
     * @throws IllegalArgumentException naming the id and the rule
     */
    public static String requireValid(String id) {
        if (!isValid(id)) {
            throw new IllegalArgumentException("container id \"" + id
                    + "\" is invalid: use 1 to 128 characters from [A-Za-z0-9_.-], starting with a letter or digit");
        }
        return id;
    }
}
