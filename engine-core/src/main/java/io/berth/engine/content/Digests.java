package io.berth.engine.content;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Content digests as OCI writes them: {@code sha256:} followed by 64 lowercase hex digits. */
public final class Digests {
    private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");

    private Digests() {}

    /** Whether {@code digest} is a well-formed sha256 digest. */
    public static boolean isValid(String digest) {
        return digest != null && SHA256.matcher(digest).matches();
    }

    /**
     * Returns {@code digest} when well formed.
     *
     * @throws IllegalArgumentException naming the digest when it is not
     */
    public static String require(String digest) {
        if (!isValid(digest)) {
            throw new IllegalArgumentException("invalid digest \"" + digest + "\": expected sha256: and 64 lowercase hex digits");
        }
        return digest;
    }

    /** The hex part of a digest. */
    public static String hex(String digest) {
        return require(digest).substring("sha256:".length());
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The digest of {@code bytes}. */
    public static String of(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    /** The digest a finished {@link MessageDigest} gives. */
    public static String of(MessageDigest sha256) {
        return "sha256:" + HexFormat.of().formatHex(sha256.digest());
    }
}
