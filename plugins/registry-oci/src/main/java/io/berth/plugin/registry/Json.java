package io.berth.plugin.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.Optional;

/** JSON reading with the plugin's own (shaded) Jackson. Thread-safe. */
final class Json {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    /**
     * @param bytes a JSON document
     * @return its root, if the bytes are a JSON object
     */
    static Optional<JsonNode> object(byte[] bytes) {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * @param bytes a JSON document
     * @return its root object
     * @throws JsonProcessingException with the parser's description of what is malformed
     */
    static JsonNode parseObject(byte[] bytes) throws JsonProcessingException {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new JsonProcessingException("not a JSON object") { };
            }
            return node;
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new JsonProcessingException(e.getMessage()) { };
        }
    }

    /**
     * @param node   an object
     * @param field  a field name
     * @return the field's text, if it is a string
     */
    static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }

    /**
     * @param e a parse error
     * @return its message without Jackson's source location lines
     */
    static String problem(JsonProcessingException e) {
        return e.getOriginalMessage();
    }
}
