package io.berth.eventlog;

import io.berth.eventlog.events.Event;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The catalogue of event types, found by walking the sealed hierarchy under {@link Event}: adding a
 * record to an aggregate's {@code permits} list is all it takes for the log to read and write it.
 * A type's name is its record's simple name, so two records with the same simple name are refused
 * when this class loads.
 */
final class EventTypes {
    private static final Map<String, Class<? extends Event>> BY_NAME;
    private static final Map<Class<?>, String> NAMES;

    static {
        Map<String, Class<? extends Event>> byName = new LinkedHashMap<>();
        collect(Event.class, byName);
        Map<Class<?>, String> names = new HashMap<>();
        byName.forEach((name, type) -> names.put(type, name));
        BY_NAME = Collections.unmodifiableMap(byName);
        NAMES = Map.copyOf(names);
    }

    private EventTypes() {}

    @SuppressWarnings("unchecked")
    private static void collect(Class<?> type, Map<String, Class<? extends Event>> into) {
        if (type.isRecord()) {
            Class<?> clash = into.putIfAbsent(type.getSimpleName(), (Class<? extends Event>) type);
            if (clash != null) {
                throw new IllegalStateException("two event records are named " + type.getSimpleName()
                        + ": " + clash.getName() + " and " + type.getName());
            }
            return;
        }
        Class<?>[] permitted = type.getPermittedSubclasses();
        if (permitted == null) {
            throw new IllegalStateException(type.getName() + " must be a record or a sealed interface");
        }
        for (Class<?> sub : permitted) {
            collect(sub, into);
        }
    }

    /** The record class for a type name, or null when this build does not know the name. */
    static Class<? extends Event> forName(String name) {
        return BY_NAME.get(name);
    }

    /** The type name written for an event. */
    static String nameOf(Event event) {
        return NAMES.get(event.getClass());
    }

    /** Every known type name and its record, in declaration order. */
    static Map<String, Class<? extends Event>> all() {
        return BY_NAME;
    }
}
