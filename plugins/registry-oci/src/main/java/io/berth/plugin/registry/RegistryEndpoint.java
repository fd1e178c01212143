package io.berth.plugin.registry;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where a registry named in a reference is actually served: scheme and authority. Docker Hub
 * ({@code docker.io}) is served by {@code registry-1.docker.io}; loopback registries
 * (127.0.0.0/8, {@code ::1}, {@code localhost}) and those in the {@code insecure-registries}
 * option speak plain HTTP, as Docker treats them; every other registry HTTPS.
 *
 * @param registry  the registry as written in references, for example {@code 127.0.0.1:5000}
 * @param scheme    {@code http} or {@code https}
 * @param authority the host and optional port requests go to
 */
record RegistryEndpoint(String registry, String scheme, String authority) {

    private static final String DOCKER_HUB_HOST = "registry-1.docker.io";
    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127(\\.\\d{1,3}){3}");

    /**
     * @param registry a registry as in {@code ImageReference.registry()}
     * @param insecure registries (host[:port], as written in references) to reach over plain HTTP
     * @return the endpoint
     */
    static RegistryEndpoint of(String registry, Set<String> insecure) {
        String authority = "docker.io".equals(registry) || "index.docker.io".equals(registry) ? DOCKER_HUB_HOST : registry;
        boolean plain = isLoopback(registry) || insecure.contains(registry.toLowerCase(Locale.ROOT));
        return new RegistryEndpoint(registry, plain ? "http" : "https", authority);
    }

    /**
     * @param registry host with an optional port
     * @return whether the host is a loopback address or {@code localhost}, without DNS
     */
    static boolean isLoopback(String registry) {
        String host = hostOf(registry).toLowerCase(Locale.ROOT);
        return host.equals("localhost") || host.equals("[::1]") || host.equals("::1")
                || IPV4_LOOPBACK.matcher(host).matches();
    }

    private static String hostOf(String registry) {
        if (registry.startsWith("[")) {
            int end = registry.indexOf(']');
            return end < 0 ? registry : registry.substring(0, end + 1);
        }
        int colon = registry.indexOf(':');
        return colon < 0 ? registry : registry.substring(0, colon);
    }

    /** @return the base URI, for example {@code http://127.0.0.1:5000} */
    URI base() {
        return URI.create(scheme + "://" + authority);
    }

    /**
     * @param pathAndQuery an absolute path with an optional query, already encoded
     * @return the URI on this endpoint
     */
    URI uri(String pathAndQuery) {
        return URI.create(scheme + "://" + authority + pathAndQuery);
    }

    /**
     * Whether a URI (for example a redirect target or an upload location) is on this endpoint's
     * host and port, so that credentials may be sent to it.
     *
     * @param target an absolute URI
     * @return {@code true} for the same scheme, host and port
     */
    boolean sameOrigin(URI target) {
        URI base = base();
        return base.getScheme().equalsIgnoreCase(target.getScheme())
                && base.getHost() != null && base.getHost().equalsIgnoreCase(target.getHost())
                && port(base) == port(target);
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
