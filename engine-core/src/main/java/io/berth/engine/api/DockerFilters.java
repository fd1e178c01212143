package io.berth.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Docker's {@code filters} query parameter, as the events and container list endpoints take it: a JSON map
 * of arrays ({@code {"type":["container"]}}) or the older map of maps ({@code {"type":{"container":true}}}).
 */
public final class DockerFilters {
    private DockerFilters() {
    }

    /**
     * @param json       the parameter's value; {@code null} or blank for no filters
     * @param keys       the keys the endpoint knows
     * @param unknownKey the 400's message for a key it does not know
     * @return each key with its values, in the request's order
     * @throws ApiException (400) for malformed JSON or an unknown key
     */
    public static Map<String, List<String>> parse(String json, ObjectMapper mapper, Set<String> keys, UnaryOperator<String> unknownKey) {
        Map<String, List<String>> criteria = new LinkedHashMap<>();
        if (json == null || json.isBlank()) {
            return criteria;
        }
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (Exception e) {
            throw ApiException.badRequest("invalid filters: not JSON: " + json);
        }
        if (!root.isObject()) {
            throw ApiException.badRequest("invalid filters: expected a JSON object of arrays, got " + json);
        }
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!keys.contains(field.getKey())) {
                throw ApiException.badRequest(unknownKey.apply(field.getKey()));
            }
            List<String> values = new ArrayList<>();
            JsonNode value = field.getValue();
            if (value.isArray()) {
                value.forEach(v -> values.add(v.asText()));
            } else if (value.isObject()) {
                value.fieldNames().forEachRemaining(values::add);
            } else {
                values.add(value.asText());
            }
            criteria.put(field.getKey(), values);
        }
        return criteria;
    }
}
