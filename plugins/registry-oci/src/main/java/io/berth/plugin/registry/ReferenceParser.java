package io.berth.plugin.registry;

import io.berth.spi.registry.ImageReference;
import io.berth.spi.registry.InvalidReferenceException;
import io.berth.text.reference.ImageName;

/**
 * Parses image references by Docker's rules: berth's one reading of them ({@link ImageName#problem} and {@link ImageName#split}, shared with
 * the CLI), turned into the SPI's normalised {@link ImageReference} — registry, repository with
 * {@code library/} on Docker Hub, and {@code latest} when neither tag nor digest was given.
 */
final class ReferenceParser {

    private ReferenceParser() {
    }

    /**
     * @param text a reference as a user writes it
     * @return the normalised reference
     * @throws InvalidReferenceException quoting {@code text} and saying what is wrong
     */
    static ImageReference parse(String text) {
        String problem = ImageName.problem(text);
        if (problem != null) {
            throw new InvalidReferenceException(String.valueOf(text), problem);
        }
        ImageName name = ImageName.split(text);
        return new ImageReference(name.registry(), name.repository(), name.tagOrLatest(), name.digest());
    }
}
