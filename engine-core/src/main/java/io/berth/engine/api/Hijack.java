package io.berth.engine.api;

import io.berth.engine.journal.RequestContext;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import org.eclipse.jetty.util.Fields;

/**
 * An operation that takes over the connection, as Docker's attach and exec start do for Docker's
 * clients: the client sends {@code Connection: Upgrade} and {@code Upgrade: tcp}, the daemon answers
 * {@code 101} and from then on the socket carries the process's stdin one way and its output the
 * other, with no HTTP framing (see {@link HijackConnectionFactory}).
 *
 * <p>Two steps, because the 101 is sent before anything runs: {@link #mediaType} runs on the
 * connection's I/O thread when the request's headers have arrived and must answer quickly; then
 * {@link #run} runs on a virtual thread of its own and may block.
 */
public interface Hijack {

    /**
     * Checks the request before the connection is taken over.
     *
     * @return the media type the 101 names ({@code application/vnd.docker.raw-stream} or
     *         {@code application/vnd.docker.multiplexed-stream}); null to leave the request to the
     *         ordinary route, which then answers it over HTTP (with its error, for an unknown
     *         container)
     */
    String mediaType(Request request);

    /**
     * Runs the operation on the taken-over connection; the connection is closed when it returns.
     *
     * @param request the request, its body already read
     * @param in      what the client sends after the request (the process's stdin); ends when the
     *                client shuts down its side
     * @param out     the process's output, unframed; each write is sent at once
     */
    void run(Request request, InputStream in, OutputStream out) throws Exception;

    /** What a hijacking operation sees of its request. */
    final class Request {
        private final Matcher path;
        private final Fields query;
        private final RequestContext context;
        private byte[] body = new byte[0];

        Request(Matcher path, Fields query, RequestContext context) {
            this.path = path;
            this.query = query;
            this.context = context;
        }

        /** The n-th capture group of the route's path pattern. */
        public String pathParam(int group) {
            return path.group(group);
        }

        /** A query parameter, or null when absent. */
        public String query(String name) {
            Fields.Field field = query.get(name);
            return field == null ? null : field.getValue();
        }

        /** A boolean query parameter as Docker reads them: 1/true/yes are true, absent is {@code otherwise}. */
        public boolean queryFlag(String name, boolean otherwise) {
            String value = query(name);
            if (value == null || value.isEmpty()) {
                return otherwise;
            }
            return value.equals("1") || value.equalsIgnoreCase("true") || value.equalsIgnoreCase("yes");
        }

        /** Every value of a repeated query parameter. */
        public List<String> queryAll(String name) {
            Fields.Field field = query.get(name);
            return field == null ? List.of() : field.getValues();
        }

        public RequestContext context() {
            return context;
        }

        /** The request's body (its Content-Length bytes), empty when it had none. */
        public byte[] body() {
            return body.clone();
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        void body(byte[] bytes) {
            this.body = bytes;
        }
    }
}
