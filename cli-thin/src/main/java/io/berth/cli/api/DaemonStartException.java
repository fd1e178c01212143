package io.berth.cli.api;

import java.io.IOException;

/** No daemon answered and starting one failed; the message names the daemon's log file. */
public final class DaemonStartException extends IOException {
    public DaemonStartException(String message) {
        super(message);
    }
}
