package io.berth.engine.history;

import io.berth.engine.api.ApiException;
import io.berth.engine.api.TimeBound;
import java.util.List;
import java.util.Set;

/**
 * What an audit asks: "who did what to this object, when" — an object (its Docker type and a name or
 * id), the actors, and a time range; each part optional.
 *
 * @param objectType Docker's object type ({@code container}, {@code image}, {@code volume}; any type
 *                   {@code DockerEventShape} gives, so {@code build} works once build events exist), or
 *                   null for every object
 * @param name       the object's name or id (a container name matches every container that ever had
 *                   it; an id prefix matches), null with a null objectType
 * @param actors     user names or uids; empty for anyone
 * @param since      exclusive lower bound, or null for the start of the log
 * @param until      inclusive upper bound, or null for the end of the log now
 */
public record AuditQuery(String objectType, String name, List<String> actors, TimeBound since, TimeBound until) {
    /** The object types an audit can name. */
    public static final Set<String> OBJECT_TYPES = Set.of("container", "image", "volume", "build", "plugin", "daemon");

    public AuditQuery {
        actors = actors == null ? List.of() : List.copyOf(actors);
        if (objectType != null && !OBJECT_TYPES.contains(objectType)) {
            throw ApiException.badRequest("invalid audit object type '" + objectType
                    + "': expected container, image, volume, build, plugin or daemon");
        }
        if (objectType != null && (name == null || name.isBlank())) {
            throw ApiException.badRequest("audit of a " + objectType + " needs its name or id");
        }
        if (since != null && until != null && !since.isSequence() && !until.isSequence() && until.time().isBefore(since.time())) {
            throw ApiException.badRequest("invalid time range: until (" + until.time() + ") is before since (" + since.time() + ")");
        }
    }
}
