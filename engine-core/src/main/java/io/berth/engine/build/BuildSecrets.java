package io.berth.engine.build;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a build is given for {@code RUN --mount=type=secret} and {@code type=ssh}: secret values by
 * id and SSH agent sockets (paths on the daemon's host) by id. They arrive in request headers
 * ({@code X-Berth-Build-Secrets}, {@code X-Berth-Build-Ssh}), are held in memory for the build's
 * duration only, and are never part of the build request's record, an event, the kept output (which
 * is {@linkplain #redact redacted}), a layer or the image. {@link #toString()} names ids only.
 */
public final class BuildSecrets {
    static final BuildSecrets NONE = new BuildSecrets(Map.of(), Map.of());
    /** The request header carrying secrets: base64 of a JSON object, id to base64 of the value. */
    static final String SECRETS_HEADER = "X-Berth-Build-Secrets";
    /** The request header carrying SSH agent sockets: base64 of a JSON object, id to the socket's path. */
    static final String SSH_HEADER = "X-Berth-Build-Ssh";
    /** Shorter values are not redacted in output: they would mask ordinary words. */
    private static final int REDACT_MIN = 4;

    private final Map<String, byte[]> secrets;
    private final Map<String, String> sshSockets;

    BuildSecrets(Map<String, byte[]> secrets, Map<String, String> sshSockets) {
        this.secrets = Collections.unmodifiableMap(new TreeMap<>(secrets));
        this.sshSockets = Collections.unmodifiableMap(new TreeMap<>(sshSockets));
    }

    /** A secret's value by id. */
    Optional<byte[]> secret(String id) {
        return Optional.ofNullable(secrets.get(id)).map(byte[]::clone);
    }

    /** An SSH agent socket (host path) by id. */
    Optional<String> sshSocket(String id) {
        return Optional.ofNullable(sshSockets.get(id));
    }

    /** The ids of the agent sockets given. */
    List<String> sshIds() {
        return List.copyOf(sshSockets.keySet());
    }

    boolean isEmpty() {
        return secrets.isEmpty() && sshSockets.isEmpty();
    }

    /** Replaces every secret value (of {@value #REDACT_MIN} characters or more) in a text with {@code ****}. */
    String redact(String text) {
        if (secrets.isEmpty() || text == null) {
            return text;
        }
        String out = text;
        for (byte[] value : secrets.values()) {
            String v = new String(value, StandardCharsets.UTF_8);
            String trimmed = v.strip();
            for (String s : List.of(v, trimmed)) {
                if (s.length() >= REDACT_MIN && out.contains(s)) {
                    out = out.replace(s, "****");
                }
            }
        }
        return out;
    }

    /** Decodes the two headers' values (either may be null); a malformed one is a one-line error naming it. */
    static BuildSecrets fromHeaders(String secretsHeader, String sshHeader, com.fasterxml.jackson.databind.ObjectMapper mapper) {
        Map<String, byte[]> secrets = new TreeMap<>();
        Map<String, String> ssh = new TreeMap<>();
        decode(secretsHeader, SECRETS_HEADER, mapper).forEach((id, v) -> {
            try {
                secrets.put(id, Base64.getDecoder().decode(v));
            } catch (IllegalArgumentException e) {
                throw new BuildException("invalid " + SECRETS_HEADER + ": the value of secret " + id + " is not base64");
            }
        });
        ssh.putAll(decode(sshHeader, SSH_HEADER, mapper));
        return secrets.isEmpty() && ssh.isEmpty() ? NONE : new BuildSecrets(secrets, ssh);
    }

    private static Map<String, String> decode(String header, String name, com.fasterxml.jackson.databind.ObjectMapper mapper) {
        Map<String, String> out = new TreeMap<>();
        if (header == null || header.isBlank()) {
            return out;
        }
        com.fasterxml.jackson.databind.JsonNode node;
        try {
            node = mapper.readTree(Base64.getDecoder().decode(header.strip()));
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new BuildException("invalid " + name + " header: expected base64 of a JSON object");
        }
        if (node == null || !node.isObject()) {
            throw new BuildException("invalid " + name + " header: expected base64 of a JSON object");
        }
        var fields = node.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            if (f.getKey().isEmpty() || !f.getValue().isTextual()) {
                throw new BuildException("invalid " + name + " header: each entry needs an id and a text value");
            }
            out.put(f.getKey(), f.getValue().asText());
        }
        return out;
    }

    @Override
    public String toString() {
        return "BuildSecrets[secrets=" + secrets.keySet() + ", ssh=" + sshSockets.keySet() + "]";
    }
}
