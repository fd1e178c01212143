package io.berth.eventlog;

/**
 * Who caused an event: the client process on the other end of the daemon's Unix socket, read from
 * the socket's peer credentials, or the daemon itself for what it does on its own.
 *
 * @param uid    numeric user id of the caller (from SO_PEERCRED)
 * @param user   user name for {@code uid} from the host's passwd database, or the uid as text when unknown
 * @param pid    process id of the caller (from SO_PEERCRED); 0 when not known
 * @param client {@value #DAEMON_CLIENT} for the daemon itself; for a caller, what it claims to be: its
 *               User-Agent behind {@value #CLAIMED_PREFIX} (e.g. {@code claimed:berth-cli/0.1.0},
 *               {@code claimed:curl/7.88.1}), so a caller can never read as the daemon. Events written
 *               before berth marked claims hold the bare User-Agent (or {@code berthd}, which then
 *               may also have been a caller's claim).
 */
public record Actor(int uid, String user, long pid, String client) {
    /** Client name used for events the daemon causes by itself (start-up, plugin loading, reconciliation). */
    public static final String DAEMON_CLIENT = "berthd";
    /** What a caller's claimed name starts with: the User-Agent is the caller's word, not a verified fact. */
    public static final String CLAIMED_PREFIX = "claimed:";
    /** The longest claimed name kept; the rest is cut. */
    static final int MAX_CLAIM = 256;

    public Actor {
        user = user == null ? Integer.toString(uid) : user;
        client = client == null ? "" : client;
    }

    /**
     * A caller of the API: its credentials from the socket, and the name it claims ({@code User-Agent},
     * may be null) marked as claimed, with control characters replaced and cut at 256 characters.
     */
    public static Actor caller(int uid, String user, long pid, String userAgent) {
        String claim = userAgent == null ? "" : userAgent.strip();
        if (claim.length() > MAX_CLAIM) {
            claim = claim.substring(0, MAX_CLAIM);
        }
        StringBuilder clean = new StringBuilder(CLAIMED_PREFIX.length() + claim.length()).append(CLAIMED_PREFIX);
        claim.codePoints().forEach(c -> clean.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return new Actor(uid, user, pid, clean.toString());
    }

    /** Whether the daemon itself caused the event (never true of a caller whose event was marked as claimed). */
    public boolean isDaemon() {
        return DAEMON_CLIENT.equals(client);
    }

    /** The actor for the current JVM acting on its own behalf. */
    public static Actor self(String client) {
        long pid = ProcessHandle.current().pid();
        String user = System.getProperty("user.name");
        int uid = SelfIdentity.uid();
        return new Actor(uid, user, pid, client);
    }
}
