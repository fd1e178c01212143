package io.berth.text.reference;

/** A reference {@link ImageName#parse} refuses: which text, and what is wrong with it. */
public final class InvalidImageNameException extends IllegalArgumentException {
    private final String reference;
    private final String problem;

    public InvalidImageNameException(String reference, String problem) {
        super("invalid reference \"" + reference + "\": " + problem);
        this.reference = reference;
        this.problem = problem;
    }

    /** The reference as given. */
    public String reference() {
        return reference;
    }

    /** What is wrong, in a phrase ({@code the tag is empty}). */
    public String problem() {
        return problem;
    }
}
