package io.berth.spi.registry;

/**
 * An image reference could not be parsed. The message quotes the reference and says what is
 * wrong, for example {@code invalid reference "Busybox": repository name must be lowercase}.
 */
public class InvalidReferenceException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String reference;
    private final String problem;

    /**
     * @param reference the text that was parsed
     * @param problem   what is wrong with it, without the reference
     */
    public InvalidReferenceException(String reference, String problem) {
        super("invalid reference \"" + reference + "\": " + problem);
        this.reference = reference;
        this.problem = problem;
    }

    /** @return the text that was parsed */
    public String reference() {
        return reference;
    }

    /** @return what is wrong with it */
    public String problem() {
        return problem;
    }
}
