package io.berth.plugin.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code WWW-Authenticate} challenge (RFC 7235): a scheme and its parameters, for example
 * {@code Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"}.
 *
 * @param scheme the scheme, lower case ({@code bearer}, {@code basic})
 * @param params the parameters, names in lower case
 */
record Challenge(String scheme, Map<String, String> params) {

    Challenge {
        params = Map.copyOf(params);
    }

    /** @return whether this asks for a bearer token */
    boolean bearer() {
        return scheme.equals("bearer");
    }

    /** @return whether this asks for basic credentials */
    boolean basic() {
        return scheme.equals("basic");
    }

    /**
     * @param name a parameter name, lower case
     * @return its value
     */
    Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name));
    }

    /**
     * Picks the challenge to answer from all {@code WWW-Authenticate} values: bearer before
     * basic; others are ignored.
     *
     * @param headers the header values
     * @return the challenge, if there is one berth can answer
     */
    static Optional<Challenge> choose(List<String> headers) {
        Challenge basic = null;
        for (String header : headers) {
            Optional<Challenge> c = parse(header);
            if (c.isPresent() && c.get().bearer()) {
                return c;
            }
            if (c.isPresent() && c.get().basic()) {
                basic = c.get();
            }
        }
        return Optional.ofNullable(basic);
    }

    /**
     * @param header one header value
     * @return the challenge, if the value is well formed
     */
    static Optional<Challenge> parse(String header) {
        String text = header.strip();
        int space = text.indexOf(' ');
        String scheme = (space < 0 ? text : text.substring(0, space)).toLowerCase(Locale.ROOT);
        if (scheme.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        int i = space < 0 ? text.length() : space + 1;
        while (i < text.length()) {
            while (i < text.length() && (text.charAt(i) == ',' || text.charAt(i) == ' ')) {
                i++;
            }
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String name = text.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            if (i < text.length() && text.charAt(i) == '"') {
                i++;
                while (i < text.length() && text.charAt(i) != '"') {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                        i++;
                    }
                    value.append(text.charAt(i++));
                }
                i++;
            } else {
                while (i < text.length() && text.charAt(i) != ',') {
                    value.append(text.charAt(i++));
                }
            }
            params.put(name, value.toString().strip());
        }
        return Optional.of(new Challenge(scheme, params));
    }
}
