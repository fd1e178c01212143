package io.berth.cli.auth;

import java.util.Locale;

/**
 * What the CLI needs to know about an image reference before the daemon parses it properly: its name,
 * tag and digest as typed, and the registry it lives in (for credentials). The split follows Docker's
 * reference grammar: the digest follows {@code @}, the tag follows the last {@code :} after the last
 * {@code /}, and the first path component is a registry host only if it holds a {@code .} or {@code :},
 * is {@code localhost}, or has upper-case letters; otherwise the image is on Docker Hub.
 *
 * @param name   the repository as typed, e.g. {@code busybox} or {@code 127.0.0.1:5000/team/app}
 * @param tag    the tag, or {@code null} when none was typed
 * @param digest the digest ({@code sha256:…}), or {@code null}
 */
public record ImageName(String name, String tag, String digest) {
    /** Docker Hub's registry as references name it. */
    public static final String HUB = "docker.io";

    /** Splits a reference typed by the user; validation is the daemon's (it answers 400). */
    public static ImageName parse(String reference) {
        String rest = reference;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        return new ImageName(rest, tag, digest);
    }

    /** The registry host ({@code docker.io} for Docker Hub, else {@code host[:port]}). */
    public String registry() {
        int slash = name.indexOf('/');
        if (slash < 0) {
            return HUB;
        }
        String first = name.substring(0, slash);
        boolean host = first.indexOf('.') >= 0 || first.indexOf(':') >= 0 || first.equals("localhost")
                || !first.toLowerCase(Locale.ROOT).equals(first);
        if (!host || first.equals("index.docker.io")) {
            return HUB;
        }
        return first;
    }

    /**
     * The fully qualified reference Docker prints after {@code pull -q}: registry, {@code library/} for
     * Docker Hub's official images, and the tag ({@code latest} when neither tag nor digest was given).
     */
    public String qualified() {
        String registry = registry();
        String path = name;
        int slash = name.indexOf('/');
        if (slash >= 0 && (registry.equals(name.substring(0, slash)) || name.startsWith("index.docker.io/"))) {
            path = name.substring(slash + 1);
        }
        if (registry.equals(HUB) && path.indexOf('/') < 0) {
            path = "library/" + path;
        }
        StringBuilder sb = new StringBuilder(registry).append('/').append(path);
        if (tag != null) {
            sb.append(':').append(tag);
        } else if (digest == null) {
            sb.append(":latest");
        }
        if (digest != null) {
            sb.append('@').append(digest);
        }
        return sb.toString();
    }
}
