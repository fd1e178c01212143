package io.berth.engine.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.api.ApiException;
import io.berth.engine.api.DockerFilters;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.VolumeEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Docker's {@code filters} for events: within one key any value matches (or), across keys all must
 * match (and). Keys: Docker's {@code type}, {@code event}, {@code container}, {@code image},
 * {@code volume}, {@code plugin}, {@code daemon}, {@code label}; berth's {@code actor} (uid or user name),
 * {@code correlation}, {@code subject}, {@code build}.
 *
 * <p>{@code label=KEY} or {@code label=KEY=VALUE} matches events about a container or volume carrying
 * that label; as in Docker, every label value given must match (not any). Labels are learned from the
 * {@code ContainerCreated} and {@code VolumeCreated} events the stream passes, so a removed container's
 * last events still match; for objects created before the stream began, the {@link LabelResolver}
 * (the live projections) answers.
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

    /** The labels of the object an event is about (a container or a volume), empty when unknown. */
    @FunctionalInterface
    public interface LabelResolver {
        Map<String, String> labelsOf(String subject);
    }

    private LabelResolver labelResolver = subject -> Map.of();
    private ObjectMapper labelMapper;
    private final Map<String, Map<String, String>> learnedLabels = new java.util.HashMap<>();

    /** Lets {@code label=} match objects the stream has not seen created. */
    public EventFilter withLabels(LabelResolver labels, ObjectMapper mapper) {
        this.labelResolver = labels;
        this.labelMapper = mapper;
        return this;
    }

    private void learnLabels(EventEnvelope event) {
        switch (event.payload()) {
            case ContainerEvent.ContainerCreated created -> {
                Map<String, String> labels = new java.util.TreeMap<>();
                try {
                    JsonNode config = (labelMapper == null ? new ObjectMapper() : labelMapper).readTree(created.configJson());
                    config.path("Config").path("Labels").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
                } catch (Exception unreadable) {
                    // a configuration that does not parse has no labels to match
                }
                learnedLabels.put(created.id(), labels);
            }
            case VolumeEvent.VolumeCreated created -> learnedLabels.put(created.name(), created.labels());
            default -> { }
        }
    }

    private boolean matchesLabels(List<String> wanted, EventEnvelope event) {
        Map<String, String> labels = learnedLabels.get(event.subject());
        if (labels == null) {
            labels = labelResolver.labelsOf(event.subject());
        }
        for (String want : wanted) {
            int eq = want.indexOf('=');
            String key = eq < 0 ? want : want.substring(0, eq);
            if (!labels.containsKey(key) || (eq >= 0 && !want.substring(eq + 1).equals(labels.get(key)))) {
                return false;
            }
        }
        return true;
    }

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
        Map<String, List<String>> criteria = DockerFilters.parse(json, mapper, KEYS, key -> "invalid filter '" + key + "'");
        return criteria.isEmpty() ? none() : new EventFilter(criteria);
    }

    @Override
    public boolean test(EventEnvelope event) {
        if (criteria.isEmpty()) {
            return true;
        }
        if (criteria.containsKey("label")) {
            learnLabels(event);
        }
        DockerEventShape.TypeAndAction shape = DockerEventShape.of(event);
        for (Map.Entry<String, List<String>> criterion : criteria.entrySet()) {
            List<String> values = criterion.getValue();
            boolean matched = switch (criterion.getKey()) {
                case "type" -> values.contains(shape.type());
                // as Docker: health_status (also exec_create, exec_start) matches the actions that start with it and ':'
                case "event" -> values.contains(shape.action()) || values.contains(event.type())
                        || values.stream().anyMatch(v -> shape.action().startsWith(v + ":"));
                case "actor" -> values.contains(event.actor().user()) || values.contains(Integer.toString(event.actor().uid()));
                case "correlation" -> values.contains(event.correlationId());
                case "subject" -> matchesSubject(withIds("subject", values), event.subject());
                case "label" -> matchesLabels(values, event);
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
