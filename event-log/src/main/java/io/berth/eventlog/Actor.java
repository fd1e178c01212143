package io.berth.eventlog;

/**
 * Who caused an event: the client process on the other end of the daemon's Unix socket, read from
 * the socket's peer credentials, or the daemon itself for what it does on its own.
 *
 * @param uid    numeric user id of the caller (from SO_PEERCRED)
 * @param user   user name for {@code uid} from the host's passwd database, or the uid as text when unknown
 * @param pid    process id of the caller (from SO_PEERCRED); 0 when not known
 * @param client what the caller says it is (its User-Agent, e.g. {@code berth-cli/0.1.0}, {@code curl/7.88.1})
 */
public record Actor(int uid, String user, long pid, String client) {
    /** Client name used for events the daemon causes by itself (start-up, plugin loading, reconciliation). */
    public static final String DAEMON_CLIENT = "berthd";

    public Actor {
        user = user == null ? Integer.toString(uid) : user;
        client = client == null ? "" : client;
    }

    /** The actor for the current JVM acting on its own behalf. */
    public static Actor self(String client) {
        long pid = ProcessHandle.current().pid();
        String user = System.getProperty("user.name");
        int uid = SelfIdentity.uid();
        return new Actor(uid, user, pid, client);
    }
}
