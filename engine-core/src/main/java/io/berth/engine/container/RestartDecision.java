package io.berth.engine.container;

/**
 * Docker's restart policies as pure rules: whether an exit is followed by a restart, and after how long. The
 * fold uses them to show {@code Restarting} between the exit and the restart, the exit supervisor to restart.
 */
public final class RestartDecision {
    /** Docker's longest wait between restarts. */
    static final long MAX_BACKOFF_MILLIS = 60_000;

    private RestartDecision() {}

    /**
     * Whether {@code policy} restarts a container that exited with {@code exitCode} after {@code restartCount}
     * restarts: {@code always} and {@code unless-stopped} always, {@code on-failure} for a non-zero code while
     * fewer than {@code maxRetries} restarts were made (0: no limit), {@code no} (or anything else) never.
     * A container the user stopped, or one removed at exit ({@code --rm}), is not asked.
     */
    public static boolean restarts(String policy, int maxRetries, int exitCode, int restartCount) {
        return switch (policy) {
            case "always", "unless-stopped" -> true;
            case "on-failure" -> exitCode != 0 && (maxRetries <= 0 || restartCount < maxRetries);
            default -> false;
        };
    }

    /** Docker's back-off before a restart: 100 ms, doubling with each restart made, at most a minute. */
    public static long backoffMillis(int restartCount) {
        return Math.min(100L << Math.min(restartCount, 10), MAX_BACKOFF_MILLIS);
    }

    /** Whether a container not running when the daemon starts is started again by its {@code policy}. */
    public static boolean restartsAtDaemonStart(String policy, boolean stoppedByUser, boolean everStarted) {
        return !stoppedByUser && everStarted && (policy.equals("always") || policy.equals("unless-stopped"));
    }
}
