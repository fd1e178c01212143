package io.berth.spi.registry;

import io.berth.spi.Digests;

import java.util.Objects;

/**
 * A normalised image reference, as {@link io.berth.spi.ImageRegistry#parse(String)} returns it.
 * {@link #toString()} gives the full form ({@code docker.io/library/busybox:latest}); parsing it
 * again gives an equal reference.
 *
 * @param registry   the registry host with its optional port, for example {@code docker.io} or
 *                   {@code localhost:5000}; never blank
 * @param repository the repository path, for example {@code library/busybox}; never blank
 * @param tag        the tag, or {@code null} when the reference names a digest only
 * @param digest     the manifest digest, or {@code null} when the reference names a tag only
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

    /** The default registry, Docker Hub. */
    public static final String DOCKER_HUB = "docker.io";

    /** Checks that the parts are present and the digest is well formed. */
    public ImageReference {
        if (registry == null || registry.isBlank()) {
            throw new IllegalArgumentException("an image reference needs a registry");
        }
        if (repository == null || repository.isBlank()) {
            throw new IllegalArgumentException("an image reference needs a repository");
        }
        if (tag == null && digest == null) {
            throw new IllegalArgumentException("image reference " + registry + "/" + repository + " needs a tag or a digest");
        }
        if (digest != null) {
            Digests.requireSha256(digest, "image digest");
        }
    }

    /** @return {@code registry/repository}, for example {@code docker.io/library/busybox} */
    public String name() {
        return registry + "/" + repository;
    }

    /**
     * The short form Docker shows: without {@code docker.io/} and {@code library/}.
     *
     * @return for example {@code busybox} or {@code localhost:5000/team/app}
     */
    public String familiarName() {
        if (!DOCKER_HUB.equals(registry)) {
            return name();
        }
        return repository.startsWith("library/") && repository.indexOf('/', 8) < 0
                ? repository.substring("library/".length())
                : repository;
    }

    /** @return the familiar name with tag and digest, for example {@code busybox:latest} */
    public String familiarString() {
        return familiarName() + suffix();
    }

    /** @return the tag or digest to ask the registry for: the digest if there is one */
    public String manifestReference() {
        return digest != null ? digest : tag;
    }

    /**
     * The same repository, pinned to a digest (keeping the tag).
     *
     * @param manifestDigest the digest
     * @return a new reference
     */
    public ImageReference withDigest(String manifestDigest) {
        return new ImageReference(registry, repository, tag, Objects.requireNonNull(manifestDigest, "digest"));
    }

    /**
     * The same repository under a tag, without digest.
     *
     * @param newTag the tag
     * @return a new reference
     */
    public ImageReference withTag(String newTag) {
        return new ImageReference(registry, repository, Objects.requireNonNull(newTag, "tag"), null);
    }

    /** @return the full form, {@code registry/repository[:tag][@digest]} */
    @Override
    public String toString() {
        return name() + suffix();
    }

    private String suffix() {
        return (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
