package io.berth.engine.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.BerthVersion;
import io.berth.engine.domain.DomainException;
import io.berth.engine.journal.RequestContext;
import io.berth.eventlog.Actor;
import io.berth.eventlog.LogFullException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SelectableChannelEndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Routes requests to endpoints. Paths work with or without Docker's version prefix
 * ({@code /v1.43/version} and {@code /version}); the caller is identified from the socket's peer
 * credentials and becomes the actor of whatever the request records.
 */
public final class ApiHandler extends Handler.Abstract {
    private static final Pattern VERSION_PREFIX = Pattern.compile("^/v(\\d+)\\.(\\d+)(/.*)$");
    public static final String CORRELATION_HEADER = "X-Berth-Correlation-Id";
    /**
     * Set by the daemon's early responder on a connection it relays (a request that arrived before Jetty served):
     * {@code PID UID GID} of the original caller. Believed only on a connection whose peer is this very process,
     * and only as the first request on it says it (kept for the connection's later requests).
     */
    public static final String RELAYED_PEER_HEADER = "X-Berth-Relayed-Peer";
    private static final long SELF_PID = ProcessHandle.current().pid();
    /** The original callers of the connections the early responder relays; weak: an entry goes with its connection. */
    private final java.util.Map<EndPoint, PeerCredentials> relayedPeers =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private record Route(String method, Pattern path, Endpoint endpoint) {}

    // copy-on-write: a starting daemon adds its routes while the first requests (/_ping) are served
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final List<HijackRoute> hijacks = new CopyOnWriteArrayList<>();
    /** Completed when every route is in place; {@code null} for a handler that is ready from the start. */
    private volatile CompletableFuture<Void> ready;

    private record HijackRoute(String method, Pattern path, Hijack hijack) {}

    /** A hijacking route that matched a request, with the match of its path pattern. */
    record HijackMatch(Hijack hijack, Matcher path) {}
    private final ObjectMapper mapper;
    private final UserNames userNames = new UserNames();
    private final String serverHeader;

    public ApiHandler(ObjectMapper mapper, String serverHeader) {
        this.mapper = mapper;
        this.serverHeader = serverHeader;
    }

    /**
     * Marks the handler as starting: the routes added so far are served at once, and a request for any other
     * path waits until {@link #ready()} (then is served as usual) or {@link #failedToStart} (then gets 503 with
     * the reason). A starting daemon so answers {@code /_ping} before its log is open, and a client's first
     * request waits for it instead of failing.
     */
    public ApiHandler startingUp() {
        ready = new CompletableFuture<>();
        return this;
    }

    /** Every route is in place: requests waiting for them proceed. */
    public void ready() {
        CompletableFuture<Void> gate = ready;
        if (gate != null) {
            gate.complete(null);
        }
    }

    /** The daemon will not serve: requests waiting for their routes get 503 with {@code reason}. */
    public void failedToStart(String reason) {
        CompletableFuture<Void> gate = ready;
        if (gate != null) {
            gate.completeExceptionally(new IllegalStateException(reason));
        }
    }

    /** Requests waiting for the start, until they are answered. */
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * After {@link #failedToStart}: waits (at most {@code timeout}) until the requests that waited for the start have
     * their 503 written, so that stopping the server next does not cut them off unanswered.
     */
    public void awaitRefusals(java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (waiting.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Waits until the daemon has started; the reason it did not start, or {@code null}. */
    private String awaitStart() {
        CompletableFuture<Void> gate = ready;
        if (gate == null || gate.isDone() && !gate.isCompletedExceptionally()) {
            return null;
        }
        try {
            gate.get();
            return null;
        } catch (ExecutionException e) {
            return "the daemon did not start: " + e.getCause().getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "the daemon is stopping";
        }
    }

    /** Adds a route; {@code pathRegex} is matched against the whole path without the version prefix. */
    public ApiHandler route(String method, String pathRegex, Endpoint endpoint) {
        routes.add(new Route(method, Pattern.compile(pathRegex), endpoint));
        return this;
    }

    /**
     * Adds a route that a Docker client may take over with {@code Connection: Upgrade} /
     * {@code Upgrade: tcp} (see {@link Hijack}). Register the ordinary route for the same path too:
     * it serves clients that do not upgrade, and answers the errors.
     */
    public ApiHandler hijack(String method, String pathRegex, Hijack hijack) {
        hijacks.add(new HijackRoute(method, Pattern.compile(pathRegex), hijack));
        return this;
    }

    /** The hijacking route for a request, or null. */
    HijackMatch hijackFor(String method, String path) {
        if (awaitStart() != null) {
            return null; // the ordinary route answers with the error
        }
        Matcher prefixed = VERSION_PREFIX.matcher(path);
        if (prefixed.matches() && versionRefusal(Integer.parseInt(prefixed.group(1)), Integer.parseInt(prefixed.group(2))) != null) {
            return null; // not taken over: the ordinary route answers the version's refusal
        }
        String bare = prefixed.matches() ? prefixed.group(3) : path;
        for (HijackRoute route : hijacks) {
            Matcher m = route.path().matcher(bare);
            if (route.method().equals(method) && m.matches()) {
                return new HijackMatch(route.hijack(), m);
            }
        }
        return null;
    }

    /** The request context of a request on this connection: the peer's credentials and its User-Agent. */
    RequestContext contextOf(EndPoint endPoint, String userAgent, String relayedPeer) {
        return new RequestContext(actorOf(endPoint, userAgent, relayedPeer), RequestContext.newCorrelationId());
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        Matcher prefixed = VERSION_PREFIX.matcher(path);
        String versionRefusal = null;
        if (prefixed.matches()) {
            path = prefixed.group(3);
            versionRefusal = versionRefusal(Integer.parseInt(prefixed.group(1)), Integer.parseInt(prefixed.group(2)));
        }
        String method = request.getMethod();
        RequestContext context = new RequestContext(actorOf(request), RequestContext.newCorrelationId());
        response.getHeaders().put("Server", serverHeader);
        response.getHeaders().put(CORRELATION_HEADER, context.correlationId());
        if (versionRefusal != null) {
            try {
                new ApiExchange(request, response, callback, null, context, mapper).error(400, versionRefusal);
            } catch (java.io.IOException e) {
                callback.failed(e);
            }
            return true;
        }

        Route found = null;
        Matcher match = null;
        boolean pathKnown = false;
        String notStarted = null;
        boolean counted = false;
        for (int attempt = 0; attempt < 2 && found == null && notStarted == null; attempt++) {
            if (attempt == 1) {
                // not one of the routes a starting daemon serves at once: wait for the others (requests run on
                // virtual threads, so a waiting request holds no platform thread)
                CompletableFuture<Void> gate = ready;
                if (gate == null || gate.isDone() && !gate.isCompletedExceptionally()) {
                    break;
                }
                waiting.incrementAndGet();
                counted = true;
                notStarted = awaitStart();
            }
            for (Route route : routes) {
                Matcher m = route.path().matcher(path);
                if (m.matches()) {
                    pathKnown = true;
                    if (route.method().equals(method) || (method.equals("HEAD") && route.method().equals("GET"))) {
                        found = route;
                        match = m;
                        break;
                    }
                }
            }
        }
        ApiExchange exchange = new ApiExchange(request, response, callback, match, context, mapper);
        try {
            if (notStarted != null) {
                try {
                    exchange.error(503, notStarted);
                } finally {
                    waiting.decrementAndGet();
                }
                return true;
            }
            if (counted) {
                waiting.decrementAndGet();
            }
            if (found == null) {
                if (pathKnown) {
                    exchange.error(405, "method " + method + " not allowed on " + path);
                } else {
                    exchange.error(404, "page not found: " + path);
                }
                return true;
            }
            found.endpoint().handle(exchange);
            if (!exchange.completed()) {
                exchange.fail(new IllegalStateException("endpoint for " + path + " did not answer"));
            }
        } catch (ApiException e) {
            answerError(exchange, e.status(), e.getMessage());
        } catch (DomainException e) {
            answerError(exchange, statusOf(e.kind()), e.getMessage());
        } catch (LogFullException e) {
            // nothing was recorded and the daemon is fine: the disk is full (HTTP's Insufficient Storage)
            answerError(exchange, 507, e.getMessage());
        } catch (java.io.IOException e) {
            // the client went away mid-answer (e.g. a follow stream was closed): nothing to tell it
            exchange.fail(e);
        } catch (Exception | LinkageError e) {
            answerError(exchange, 500, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse(""));
        }
        return true;
    }

    /** The oldest and newest Docker API versions served, as {@code major * 1000 + minor}. */
    private static final int MIN_VERSION = version(BerthVersion.MIN_API_VERSION);
    private static final int MAX_VERSION = version(BerthVersion.API_VERSION);

    private static int version(String text) {
        String[] parts = text.split("\\.");
        return Integer.parseInt(parts[0]) * 1000 + Integer.parseInt(parts[1]);
    }

    /**
     * Docker's answer to a version prefix outside what the daemon serves (400 both ways, in Docker's words), or
     * {@code null} for one it serves. Docker's clients ask {@code /_ping} first and then use at most the
     * daemon's {@code API-Version}, so only clients pinned to another version meet this.
     */
    static String versionRefusal(int major, int minor) {
        int asked = major * 1000 + minor;
        String text = major + "." + minor;
        if (asked < MIN_VERSION) {
            return "client version " + text + " is too old. Minimum supported API version is "
                    + BerthVersion.MIN_API_VERSION + ", please upgrade your client to a newer version";
        }
        if (asked > MAX_VERSION) {
            return "client version " + text + " is too new. Maximum supported API version is " + BerthVersion.API_VERSION;
        }
        return null;
    }

    /** The one place a slice's refusal becomes an HTTP status. */
    static int statusOf(DomainException.Kind kind) {
        return switch (kind) {
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case FORBIDDEN -> 403;
            case INVALID -> 400;
            case UPSTREAM, INTERNAL -> 500;
            case NOT_SUPPORTED -> 501;
        };
    }

    private static void answerError(ApiExchange exchange, int status, String message) {
        if (exchange.completed()) {
            return;
        }
        if (exchange.committed()) {
            exchange.fail(new IllegalStateException(message));
            return;
        }
        try {
            exchange.error(status, message);
        } catch (java.io.IOException e) {
            exchange.fail(e);
        }
    }

    private Actor actorOf(Request request) {
        return actorOf(request.getConnectionMetaData().getConnection().getEndPoint(), request.getHeaders().get("User-Agent"),
                request.getHeaders().get(RELAYED_PEER_HEADER));
    }

    private Actor actorOf(EndPoint endPoint, String agent, String relayedPeer) {
        PeerCredentials peer = PeerCredentials.UNKNOWN;
        if (endPoint instanceof SelectableChannelEndPoint channelEndPoint) {
            peer = PeerCredentials.of(channelEndPoint.getChannel());
        }
        if (peer.pid() == SELF_PID) {
            // this process's early responder relays a connection: the actor is the caller it accepted
            PeerCredentials relayed = relayedPeers.get(endPoint);
            if (relayed == null && relayedPeer != null) {
                relayed = parsePeer(relayedPeer);
                if (relayed != null) {
                    relayedPeers.put(endPoint, relayed);
                }
            }
            if (relayed != null) {
                peer = relayed;
            }
        }
        return Actor.caller(peer.uid(), userNames.nameOf(peer.uid()), peer.pid(), agent);
    }

    /** {@code PID UID GID} → the credentials; {@code null} when malformed. */
    static PeerCredentials parsePeer(String value) {
        String[] parts = value.strip().split(" ");
        try {
            return parts.length == 3 ? new PeerCredentials(Long.parseLong(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
