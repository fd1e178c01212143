package io.berth.text.reference;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An image reference by Docker's rules (the grammar of distribution/reference, then its
 * {@code ParseNormalizedNamed} and {@code TagNameOnly}) — the one reading the CLI and the registry plugin share:
 *
 * <pre>
 * reference  := name [ ":" tag ] [ "@" digest ]
 * name       := [ domain "/" ] component ( "/" component )*
 * domain     := host [ ":" port ]     host: DNS-like labels, dotted IPv4, or [IPv6]
 * component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 * tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 * digest     := "sha256:" [a-f0-9]{64}          (berth accepts sha256 only)
 * </pre>
 *
 * The digest follows {@code @}; the tag follows the last {@code :} after the last {@code /} (so a port in the
 * host is not a tag). The first component is the registry when it contains {@code .} or {@code :}, is
 * {@code localhost}, or has upper-case letters; otherwise the registry is {@code docker.io}.
 * {@code index.docker.io} becomes {@code docker.io}; one-component names on {@code docker.io} get
 * {@code library/}; a reference with neither tag nor digest means {@code latest}. The whole name
 * ({@code registry/repository}) is at most 255 characters.
 *
 * <p>{@link #split} only cuts a reference as typed (the CLI, which leaves judging it to the daemon);
 * {@link #parse} also checks every part and fails naming the problem ({@link #problem}).
 *
 * @param name   the repository as typed, e.g. {@code busybox} or {@code 127.0.0.1:5000/team/app}
 * @param tag    the tag, or {@code null} when none was typed
 * @param digest the digest ({@code sha256:…}), or {@code null}
 */
public record ImageName(String name, String tag, String digest) {
    /** Docker Hub's registry as references name it. */
    public static final String HUB = "docker.io";
    private static final String LEGACY_HUB = "index.docker.io";
    private static final int NAME_MAX = 255;

    private static final String DOMAIN_LABEL = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:" + DOMAIN_LABEL + "(?:\\." + DOMAIN_LABEL + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}");
    private static final Pattern SHA256_HEX = Pattern.compile("[a-f0-9]{64}");

    /** Cuts a reference as typed into name, tag and digest, judging nothing. */
    public static ImageName split(String reference) {
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

    /**
     * Reads and checks a reference as a user writes it.
     *
     * @throws IllegalArgumentException {@code invalid reference "TEXT": PROBLEM} ({@link #problem})
     */
    public static ImageName parse(String text) {
        String problem = problem(text);
        if (problem != null) {
            throw new IllegalArgumentException("invalid reference \"" + text + "\": " + problem);
        }
        return split(text);
    }

    /**
     * What is wrong with a reference, in a phrase ({@code the tag is empty}), or null when it is valid: for callers
     * that word the failure their own way (the registry plugin's {@code InvalidReferenceException}).
     */
    public static String problem(String text) {
        if (text == null || text.isEmpty()) {
            return "the reference is empty";
        }
        if (text.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            return "it contains white space or control characters";
        }
        if (SHA256_HEX.matcher(text).matches()) {
            return "a 64-hex-digit id cannot be a repository name; to name an image by digest write name@sha256:<hex>";
        }
        ImageName split = split(text);
        String problem = split.digest == null ? null : digestProblem(split.digest);
        if (problem == null && split.tag != null) {
            problem = tagProblem(split.tag);
        }
        if (problem != null) {
            return problem;
        }
        if (split.name.isEmpty()) {
            return "the repository name is empty";
        }
        String registry = split.registry();
        String repository = split.repository();
        if (!DOMAIN.matcher(registry).matches()) {
            return "the registry \"" + registry + "\" is not a valid host[:port]";
        }
        if (!repository.toLowerCase(Locale.ROOT).equals(repository)) {
            return "the repository name \"" + repository + "\" must be lowercase";
        }
        for (String component : repository.split("/", -1)) {
            if (component.isEmpty()) {
                return "the repository name \"" + repository + "\" has an empty path component";
            }
            if (!COMPONENT.matcher(component).matches()) {
                return "the repository name component \"" + component
                        + "\" is invalid: use lower-case letters and digits, joined by '.', '_', '__' or dashes";
            }
        }
        if (registry.length() + 1 + repository.length() > NAME_MAX) {
            return "the name \"" + registry + "/" + repository + "\" is longer than " + NAME_MAX + " characters";
        }
        return null;
    }

    /** The registry host ({@code docker.io} for Docker Hub, else {@code host[:port]}). */
    public String registry() {
        int slash = name.indexOf('/');
        if (slash < 0) {
            return HUB;
        }
        String first = name.substring(0, slash);
        if (!isDomain(first) || first.equals(LEGACY_HUB)) {
            return HUB;
        }
        return first;
    }

    /** The repository within its registry, with {@code library/} for Docker Hub's one-component names. */
    public String repository() {
        int slash = name.indexOf('/');
        String path = slash >= 0 && isDomain(name.substring(0, slash)) ? name.substring(slash + 1) : name;
        return registry().equals(HUB) && path.indexOf('/') < 0 ? "library/" + path : path;
    }

    /** The tag, {@code latest} when neither tag nor digest was given, else null for a digest alone. */
    public String tagOrLatest() {
        return tag != null ? tag : digest == null ? "latest" : null;
    }

    /**
     * The fully qualified reference Docker prints after {@code pull -q}: registry, repository (with
     * {@code library/} for Docker Hub's official images), and the tag ({@code latest} when neither tag nor
     * digest was given).
     */
    public String qualified() {
        StringBuilder sb = new StringBuilder(registry()).append('/').append(repository());
        String shownTag = tagOrLatest();
        if (shownTag != null) {
            sb.append(':').append(shownTag);
        }
        if (digest != null) {
            sb.append('@').append(digest);
        }
        return sb.toString();
    }

    /** Docker's rule for a first component that names a registry rather than a path. */
    private static boolean isDomain(String first) {
        return first.indexOf('.') >= 0 || first.indexOf(':') >= 0 || first.equals("localhost")
                || !first.toLowerCase(Locale.ROOT).equals(first);
    }

    private static String digestProblem(String digest) {
        if (digest.indexOf('@') >= 0) {
            return "it has more than one digest";
        }
        String malformed = "the digest \"" + digest + "\" is malformed: expected sha256: followed by 64 lower-case hex digits";
        if (!DIGEST.matcher(digest).matches()) {
            return malformed;
        }
        String algorithm = digest.substring(0, digest.indexOf(':'));
        if (!algorithm.equals("sha256")) {
            return "the digest algorithm \"" + algorithm + "\" is not supported: berth uses sha256 only";
        }
        return SHA256_HEX.matcher(digest.substring("sha256:".length())).matches() ? null : malformed;
    }

    private static String tagProblem(String tag) {
        if (tag.isEmpty()) {
            return "the tag is empty";
        }
        if (tag.length() > 128) {
            return "the tag is longer than 128 characters";
        }
        if (!TAG.matcher(tag).matches()) {
            return "the tag \"" + tag + "\" is invalid: use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'";
        }
        return null;
    }
}
