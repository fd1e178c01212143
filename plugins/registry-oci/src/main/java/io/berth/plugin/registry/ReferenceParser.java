package io.berth.plugin.registry;

import io.berth.spi.registry.ImageReference;
import io.berth.spi.registry.InvalidReferenceException;

import java.util.regex.Pattern;

/**
 * Parses image references by Docker's rules (the grammar of github.com/distribution/reference,
 * then {@code ParseNormalizedNamed} and {@code TagNameOnly}):
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
 * The first component is the registry when it contains {@code .} or {@code :}, is
 * {@code localhost}, or has upper-case letters; otherwise the registry is {@code docker.io}.
 * {@code index.docker.io} becomes {@code docker.io}; one-component names on {@code docker.io}
 * get {@code library/}; a reference with neither tag nor digest gets {@code latest}. The whole
 * name ({@code registry/repository}) is at most 255 characters.
 */
final class ReferenceParser {

    private static final String DEFAULT_REGISTRY = ImageReference.DOCKER_HUB;
    private static final String LEGACY_REGISTRY = "index.docker.io";
    private static final String LOCALHOST = "localhost";
    private static final int NAME_MAX = 255;

    private static final String DOMAIN_LABEL = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:" + DOMAIN_LABEL + "(?:\\." + DOMAIN_LABEL + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}");
    private static final Pattern SHA256_HEX = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern ID = Pattern.compile("[a-f0-9]{64}");

    private ReferenceParser() {
    }

    /**
     * @param text a reference as a user writes it
     * @return the normalised reference
     * @throws InvalidReferenceException quoting {@code text} and saying what is wrong
     */
    static ImageReference parse(String text) {
        if (text == null || text.isEmpty()) {
            throw invalid(String.valueOf(text), "the reference is empty");
        }
        if (text.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw invalid(text, "it contains white space or control characters");
        }
        if (ID.matcher(text).matches()) {
            throw invalid(text, "a 64-hex-digit id cannot be a repository name; to name an image by digest write name@sha256:<hex>");
        }

        String rest = text;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = checkDigest(text, rest.substring(at + 1));
            rest = rest.substring(0, at);
        }

        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            checkTag(text, tag);
        }
        if (rest.isEmpty()) {
            throw invalid(text, "the repository name is empty");
        }

        String registry;
        String repository;
        int slash = rest.indexOf('/');
        if (slash < 0) {
            registry = DEFAULT_REGISTRY;
            repository = rest;
        } else {
            String first = rest.substring(0, slash);
            String remainder = rest.substring(slash + 1);
            if (first.equals(LOCALHOST) || first.contains(".") || first.contains(":")
                    || !first.toLowerCase(java.util.Locale.ROOT).equals(first)) {
                registry = first.equals(LEGACY_REGISTRY) ? DEFAULT_REGISTRY : first;
                repository = remainder;
            } else {
                registry = DEFAULT_REGISTRY;
                repository = rest;
            }
        }
        if (registry.equals(DEFAULT_REGISTRY) && repository.indexOf('/') < 0) {
            repository = "library/" + repository;
        }

        if (!DOMAIN.matcher(registry).matches()) {
            throw invalid(text, "the registry \"" + registry + "\" is not a valid host[:port]");
        }
        if (!repository.toLowerCase(java.util.Locale.ROOT).equals(repository)) {
            throw invalid(text, "the repository name \"" + repository + "\" must be lowercase");
        }
        for (String component : repository.split("/", -1)) {
            if (component.isEmpty()) {
                throw invalid(text, "the repository name \"" + repository + "\" has an empty path component");
            }
            if (!COMPONENT.matcher(component).matches()) {
                throw invalid(text, "the repository name component \"" + component
                        + "\" is invalid: use lower-case letters and digits, joined by '.', '_', '__' or dashes");
            }
        }
        if (registry.length() + 1 + repository.length() > NAME_MAX) {
            throw invalid(text, "the name \"" + registry + "/" + repository + "\" is longer than " + NAME_MAX + " characters");
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(registry, repository, tag, digest);
    }

    private static String checkDigest(String text, String digest) {
        if (digest.indexOf('@') >= 0) {
            throw invalid(text, "it has more than one digest");
        }
        if (!DIGEST.matcher(digest).matches()) {
            throw invalid(text, "the digest \"" + digest + "\" is malformed: expected sha256: followed by 64 lower-case hex digits");
        }
        String algorithm = digest.substring(0, digest.indexOf(':'));
        if (!algorithm.equals("sha256")) {
            throw invalid(text, "the digest algorithm \"" + algorithm + "\" is not supported: berth uses sha256 only");
        }
        if (!SHA256_HEX.matcher(digest.substring("sha256:".length())).matches()) {
            throw invalid(text, "the digest \"" + digest + "\" is malformed: expected sha256: followed by 64 lower-case hex digits");
        }
        return digest;
    }

    private static void checkTag(String text, String tag) {
        if (tag.isEmpty()) {
            throw invalid(text, "the tag is empty");
        }
        if (tag.length() > 128) {
            throw invalid(text, "the tag is longer than 128 characters");
        }
        if (!TAG.matcher(tag).matches()) {
            throw invalid(text, "the tag \"" + tag
                    + "\" is invalid: use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'");
        }
    }

    private static InvalidReferenceException invalid(String text, String problem) {
        return new InvalidReferenceException(text, problem);
    }
}
