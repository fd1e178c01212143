package io.berth.engine.build;

/**
 * Where a build's progress goes: Docker's legacy builder stream ({@code {"stream": …}} lines) and
 * the image id ({@code {"aux":{"ID": …}}}). Implementations never throw when the client is gone:
 * the build carries on and is recorded.
 */
public interface BuildOutput {
    /** Text for the user, usually ending in a newline. */
    void stream(String text);

    /** The built image's id. */
    void imageId(String id);

    /** The build's id, once it is recorded (berth's CLI asks for the record with it). */
    default void buildStarted(String buildId) {
    }

    /** An output that drops everything. */
    BuildOutput NONE = new BuildOutput() {
        @Override
        public void stream(String text) {
        }

        @Override
        public void imageId(String id) {
        }
    };
}
