package io.berth.engine.container;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A container's state in Docker's words, as {@code State.Status}, {@code ps}'s {@code State} and the
 * {@code status} filter say it. The log's fold keeps {@link #CREATED}, {@link #RUNNING} and {@link #EXITED};
 * paused and restarting are flags beside a running or exited status ({@link ContainerState.ContainerRecord#shownStatus()}),
 * as Docker's {@code State.Running} stays true for both.
 */
public enum ContainerStatus {
    CREATED("created"),
    RUNNING("running"),
    PAUSED("paused"),
    RESTARTING("restarting"),
    REMOVING("removing"),
    EXITED("exited"),
    DEAD("dead");

    private final String text;

    ContainerStatus(String text) {
        this.text = text;
    }

    /** The word Docker's API and berth's snapshots use. */
    @JsonValue
    public String text() {
        return text;
    }

    /** The status named {@code text} (as {@link #text()} gives it). */
    @JsonCreator
    public static ContainerStatus of(String text) {
        for (ContainerStatus status : values()) {
            if (status.text.equals(text)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown container status \"" + text + "\"");
    }

    @Override
    public String toString() {
        return text;
    }
}
