package io.berth.spi.storage;

import java.util.regex.Pattern;

/**
 * The rule for snapshot keys: 1 to 128 characters from {@code [A-Za-z0-9_.-]}, starting with a
 * letter or digit. A container id (64 hex digits) is a valid key; a key can never be a path.
 */
public final class Keys {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private Keys() {
    }

    /**
     * Whether a string is a valid snapshot key.
     *
     * @param key the string, may be {@code null}
     * @return {@code true} if it follows the rule
     */
    public static boolean isValid(String key) {
        return key != null && KEY.matcher(key).matches();
    }

    /**
     * Returns the key if it is valid, else throws.
     *
     * @param key the key to check
     * @return {@code key}
     * @throws IllegalArgumentException naming the key and the rule
     */
    public static String requireValid(String key) {
        if (!isValid(key)) {
            throw new IllegalArgumentException("snapshot key \"" + key
                    + "\" is invalid: use 1 to 128 characters from [A-Za-z0-9_.-], starting with a letter or digit");
        }
        return key;
    }
}
