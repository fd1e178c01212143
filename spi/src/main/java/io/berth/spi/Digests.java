package io.berth.spi;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Content digests as berth writes them: {@code sha256:} followed by 64 lower-case hex digits, the
 * form OCI uses for blobs, layer diff ids and chain ids. berth supports no other algorithm.
 */
public final class Digests {

    private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");

    private Digests() {
    }

    /**
     * Whether a string is a well-formed sha256 digest.
     *
     * @param digest the string, may be {@code null}
     * @return {@code true} for {@code sha256:} plus 64 lower-case hex digits
     */
    public static boolean isSha256(String digest) {
        return digest != null && SHA256.matcher(digest).matches();
    }

    /**
     * Returns the digest if it is well formed, else throws.
     *
     * @param digest the string to check
     * @param what   what the digest is, for the message (for example {@code "chain id"})
     * @return {@code digest}
     * @throws IllegalArgumentException naming {@code what} and the bad value
     */
    public static String requireSha256(String digest, String what) {
        if (!isSha256(digest)) {
            throw new IllegalArgumentException(
                    what + " \"" + digest + "\" is not a digest: expected sha256: followed by 64 lower-case hex digits");
        }
        return digest;
    }

    /**
     * The hex part of a well-formed digest, for use as a file name.
     *
     * @param digest a digest as accepted by {@link #requireSha256}
     * @return the 64 hex digits
     */
    public static String hex(String digest) {
        return requireSha256(digest, "digest").substring("sha256:".length());
    }

    /**
     * The sha256 digest of some bytes.
     *
     * @param bytes the content
     * @return {@code sha256:<hex>}
     */
    public static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    /** @return a fresh SHA-256 {@link MessageDigest} */
    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /**
     * The digest a SHA-256 {@link MessageDigest} gives for what it has been fed; it is reset afterwards.
     *
     * @param sha256 a SHA-256 digest in progress
     * @return {@code sha256:<hex>}
     */
    public static String sha256(MessageDigest sha256) {
        return "sha256:" + HexFormat.of().formatHex(sha256.digest());
    }
}
