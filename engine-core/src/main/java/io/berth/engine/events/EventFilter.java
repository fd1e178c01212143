package io.berth.engine.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.api.ApiException;
import io.berth.eventlog.EventEnvelope;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Docker's {@code filters} for events: within one key any value matches (or), across keys all must
 * match (and). Keys: Docker's {@code type}, {@code event}, {@code container}, {@code image},
 * {@code volume}, {@code plugin}, {@code daemon}; berth's {@code actor} (uid or user name),
 * {@code correlation}, {@code subject}, {@code build}.
 */
public final class EventFilter implements Predicate<EventEnvelope> {
    private static final Set<String> KEYS = Set.of("type", "event", "container", "image", "volume", "plugin",
            "daemon", "network", "actor", "correlation", "subject", "build", "label");

    private final Map<String, List<String>> criteria;


    private EventFilter(Map<String, List<String>> criteria) {
        this.criteria = criteria;
    }

    /**
     * Resolves a name to the ids it stands for (e.g. a container name to every container id that
     * ever had it), so {@code container=web} matches the whole life of {@code web}.
     */
    @FunctionalInterface
    public interface NameResolver {
        List<String> idsFor(String objectType, String name);
    }

    /**
     * Parses filters whose object names are resolved to ids with {@code resolver} as each event is
     * tested, so a follow stream also matches an object created after it began.
     */
    public static EventFilter parse(String json, ObjectMapper mapper, NameResolver resolver) {
        EventFilter parsed = parse(json, mapper);
        parsed.resolver = resolver;
        return parsed;
    }

    private NameResolver resolver = (type, name) -> List.of();

    private List<String> withIds(String key, List<String> values) {
        List<String> all = new ArrayList<>(values);
        for (String value : values) {
            all.addAll(resolver.idsFor(key, value));
        }
        return all;
    }

    public static EventFilter none() {
        return new EventFilter(Map.of());
    }

    /**
     * Parses Docker's filters JSON: a map of arrays ({@code {"type":["container"]}}) or the older map
     * of maps ({@code {"type":{"container":true}}}).
     *
     * @throws ApiException (400) for malformed JSON or an unknown key
     */
    public static EventFilter parse(String json, ObjectMapper mapper) {
        if (json == null || json.isBlank()) {
            return none();
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
        Map<String, List<String>> criteria = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!KEYS.contains(field.getKey())) {
                throw ApiException.badRequest("invalid filter '" + field.getKey() + "'");
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
        return new EventFilter(criteria);
    }

    @Override
    public boolean test(EventEnvelope event) {
        if (criteria.isEmpty()) {
            return true;
        }
        DockerEventShape.TypeAndAction shape = DockerEventShape.of(event);
        for (Map.Entry<String, List<String>> criterion : criteria.entrySet()) {
            List<String> values = criterion.getValue();
            boolean matched = switch (criterion.getKey()) {
                case "type" -> values.contains(shape.type());
                case "event" -> values.contains(shape.action()) || values.contains(event.type());
                case "actor" -> values.contains(event.actor().user()) || values.contains(Integer.toString(event.actor().uid()));
                case "correlation" -> values.contains(event.correlationId());
                case "subject" -> matchesSubject(withIds("subject", values), event.subject());
                case "label" -> false; // no event carries labels yet
                // an object-type key (container=…, image=…) matches events of that type about that subject
                default -> shape.type().equals(criterion.getKey())
                        && (matchesSubject(withIds(criterion.getKey(), values), event.subject())
                        || matchesName(values, event.subject(), DockerEventShape.names(event)));
            };
            if (!matched) {
                return false;
            }
        }
        return true;
    }

    /**
     * A name filter ({@code image=busybox}) matches a full reference the way a user means it:
     * {@code busybox}, {@code busybox:latest}, {@code library/busybox} and
     * {@code docker.io/library/busybox:latest} all match {@code docker.io/library/busybox:latest}.
     */
    public static boolean matchesName(List<String> values, String subject, List<String> names) {
        List<String> candidates = new ArrayList<>(names);
        candidates.add(subject);
        for (String name : candidates) {
            if (name == null) {
                continue;
            }
            String withoutTag = stripTag(name);
            for (String value : values) {
                if (value.isEmpty()) {
                    continue;
                }
                if (name.equals(value) || withoutTag.equals(value) || name.endsWith("/" + value) || withoutTag.endsWith("/" + value)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String stripTag(String reference) {
        int at = reference.indexOf('@');
        String base = at >= 0 ? reference.substring(0, at) : reference;
        int colon = base.lastIndexOf(':');
        return colon > base.lastIndexOf('/') ? base.substring(0, colon) : base;
    }

    /** A subject matches a full id, a prefix of it (as Docker's short ids), or a name. */
    private static boolean matchesSubject(List<String> values, String subject) {
        for (String value : values) {
            if (!value.isEmpty() && subject != null && subject.startsWith(value)) {
                return true;
            }
        }
        return false;
    }
}
