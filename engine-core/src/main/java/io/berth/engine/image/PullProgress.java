package io.berth.engine.image;

/**
 * Where a pull or push reports progress, in Docker's vocabulary ("Pulling fs layer", "Downloading",
 * "Extracting", "Pull complete", …). Called from several threads at once: implementations synchronise.
 */
public interface PullProgress {
    /** A status line, optionally about one layer ({@code id} = short digest, or null). */
    void status(String id, String status);

    /** Bytes done of a layer's download, upload or extraction. */
    void progress(String id, String status, long current, long total);

    /** Progress that goes nowhere. */
    PullProgress NONE = new PullProgress() {
        @Override
        public void status(String id, String status) {}

        @Override
        public void progress(String id, String status, long current, long total) {}
    };
}
