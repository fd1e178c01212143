package io.berth.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.api.ApiException;
import io.berth.spi.registry.Credentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Credentials as Docker clients send them: the {@code X-Registry-Auth} header, base64url-encoded
 * JSON {@code {"username","password","serveraddress","identitytoken","registrytoken"}}. The daemon
 * never reads a user's credential file; the client does and sends what applies.
 */
public final class RegistryAuth {
    private RegistryAuth() {}

    public static Credentials fromHeader(String header, ObjectMapper mapper) {
        if (header == null || header.isBlank()) {
            return Credentials.anonymous();
        }
        JsonNode json;
        try {
            byte[] decoded = decode(header.strip());
            json = mapper.readTree(new String(decoded, StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw ApiException.badRequest("invalid X-Registry-Auth header: not base64-encoded JSON");
        }
        if (json == null || !json.isObject()) {
            return Credentials.anonymous();
        }
        String identityToken = text(json, "identitytoken");
        if (!identityToken.isEmpty()) {
            return new Credentials.IdentityToken(identityToken);
        }
        String registryToken = text(json, "registrytoken");
        if (!registryToken.isEmpty()) {
            return new Credentials.RegistryToken(registryToken);
        }
        String user = text(json, "username");
        if (user.isEmpty()) {
            return Credentials.anonymous();
        }
        return Credentials.basic(user, text(json, "password"));
    }

    private static byte[] decode(String value) {
        try {
            return Base64.getUrlDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            return Base64.getDecoder().decode(value);
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json.get(field);
        return node == null || node.isNull() ? "" : node.asText();
    }
}
