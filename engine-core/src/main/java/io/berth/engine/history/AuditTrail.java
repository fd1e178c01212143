package io.berth.engine.history;

import io.berth.engine.events.DockerEventShape;
import io.berth.engine.events.EventFilter;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.ImageEvent;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Picks the events of one {@link AuditQuery} from the log, read in order. It learns the ids an object
 * had as it goes: a container name is matched by the events that carry it ({@code ContainerCreated},
 * {@code ContainerRenamed}), and from then on every event about that container's id belongs to the
 * trail, after a later rename or removal too; an image name is matched by pulls, loads and tags,
 * which name the image id that its later events (untag, push, removal) are about. So a trail needs no
 * projection and works the same in the daemon and on a copied log.
 *
 * <p>Not thread-safe: one per query.
 */
public final class AuditTrail implements Predicate<EventEnvelope> {
    private final AuditQuery query;
    private final Set<String> ids = new HashSet<>();

    public AuditTrail(AuditQuery query) {
        this.query = query;
    }

    @Override
    public boolean test(EventEnvelope event) {
        boolean object = objectMatches(event); // first, always: it learns ids from events by any actor
        return object && actorMatches(event);
    }

    private boolean actorMatches(EventEnvelope event) {
        if (query.actors().isEmpty()) {
            return true;
        }
        if (event.actor() == null) {
            return false;
        }
        return query.actors().contains(event.actor().user()) || query.actors().contains(Integer.toString(event.actor().uid()));
    }

    private boolean objectMatches(EventEnvelope event) {
        if (query.objectType() == null) {
            return true;
        }
        if (!DockerEventShape.of(event).type().equals(query.objectType())) {
            return false;
        }
        String name = stripSlash(query.name());
        String subject = event.subject() == null ? "" : event.subject();
        if (ids.contains(subject)) {
            return true;
        }
        boolean byName = switch (query.objectType()) {
            // a build is also found by the image name it was tagged with (demo, demo:latest)
            case "image", "build" -> EventFilter.matchesName(List.of(name), subject, DockerEventShape.names(event));
            default -> subject.equals(name) || DockerEventShape.names(event).contains(name);
        };
        boolean byId = name.length() >= 4 && idPrefix(subject, name);
        if (byName) {
            ids.add(subject);
            String imageId = imageIdOf(event);
            if (imageId != null) {
                ids.add(imageId);
            }
        }
        if (byId && event.payload() instanceof ContainerEvent) {
            ids.add(subject);
        }
        return byName || byId;
    }

    /** A Docker-style short id: a prefix of the subject, with or without {@code sha256:}. */
    private static boolean idPrefix(String subject, String value) {
        String bare = subject.startsWith("sha256:") ? subject.substring(7) : subject;
        String wanted = value.startsWith("sha256:") ? value.substring(7) : value;
        return wanted.matches("[0-9a-f]+") && bare.startsWith(wanted);
    }

    /** The image id an image event names besides its subject (a pull's subject is the reference). */
    private static String imageIdOf(EventEnvelope event) {
        return switch (event.payload()) {
            case ImageEvent.ImagePulled e -> e.image().imageId();
            case ImageEvent.ImageLoaded e -> e.image().imageId();
            case ImageEvent.ImageTagged e -> e.imageId();
            case ImageEvent.ImageUntagged e -> e.imageId();
            case ImageEvent.ImagePushed e -> e.imageId();
            default -> null;
        };
    }

    private static String stripSlash(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }
}
