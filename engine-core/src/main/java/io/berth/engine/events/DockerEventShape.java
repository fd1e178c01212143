package io.berth.engine.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.BuildEvent;
import io.berth.eventlog.events.DaemonEvent;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.ImageEvent;
import io.berth.eventlog.events.NetworkEvent;
import io.berth.eventlog.events.VolumeEvent;
import io.berth.eventlog.events.NoteEvent;
import io.berth.eventlog.events.PluginEvent;

/**
 * How a berth event appears on Docker's {@code /events} stream: Docker's {@code Type} and
 * {@code Action}, {@code Actor.ID} = the subject, and berth's whole envelope under {@code berth}
 * (a field Docker clients ignore).
 */
public final class DockerEventShape {
    private DockerEventShape() {}

    /**
     * Docker's object type and action for an event.
     *
     * @param type   Docker's {@code Type} ({@code container}, {@code image}, {@code daemon}, {@code plugin}, …)
     * @param action Docker's {@code Action} ({@code start}, {@code pull}, …)
     */
    public record TypeAndAction(String type, String action) {}

    public static TypeAndAction of(EventEnvelope envelope) {
        return switch (envelope.payload()) {
            case DaemonEvent.DaemonStarted ignored -> new TypeAndAction("daemon", "start");
            case DaemonEvent.DaemonStopped ignored -> new TypeAndAction("daemon", "stop");
            case DaemonEvent.LogCompacted ignored -> new TypeAndAction("daemon", "compact");
            case PluginEvent.PluginLoaded ignored -> new TypeAndAction("plugin", "enable");
            case PluginEvent.PluginFailed ignored -> new TypeAndAction("plugin", "fail");
            case NoteEvent.NoteRecorded ignored -> new TypeAndAction("daemon", "note");
            case ImageEvent image -> new TypeAndAction("image", imageAction(image));
            case ContainerEvent container -> new TypeAndAction("container", switch (container) {
                case ContainerEvent.ContainerCreated ignored -> "create";
                case ContainerEvent.ContainerStarted ignored -> "start";
                case ContainerEvent.ContainerStartFailed ignored -> "start-fail";
                case ContainerEvent.ContainerKilled ignored -> "kill";
                case ContainerEvent.ContainerExited ignored -> "die";
                case ContainerEvent.ContainerRemoved ignored -> "destroy";
                case ContainerEvent.ContainerRenamed ignored -> "rename";
                case ContainerEvent.ExecStarted ignored -> "exec_start";
                case ContainerEvent.ExecExited ignored -> "exec_die";
                case ContainerEvent.ContainerPaused ignored -> "pause";
                case ContainerEvent.ContainerUnpaused ignored -> "unpause";
                case ContainerEvent.ContainerUpdated ignored -> "update";
                case ContainerEvent.ContainerStopped ignored -> "stop";
                case ContainerEvent.ContainerHealthChanged e -> "health_status: " + e.status();
            });
            case BuildEvent build -> new TypeAndAction("build", switch (build) {
                case BuildEvent.BuildStarted ignored -> "start";
                case BuildEvent.BuildStepStarted ignored -> "step-start";
                case BuildEvent.BuildStepCached ignored -> "step-cached";
                case BuildEvent.BuildStepCompleted ignored -> "step-complete";
                case BuildEvent.BuildStepFailed ignored -> "step-fail";
                case BuildEvent.BuildCompleted ignored -> "complete";
                case BuildEvent.BuildFailed ignored -> "fail";
                case BuildEvent.BuildCacheMountUsed ignored -> "cache-mount";
            });
            case VolumeEvent volume -> new TypeAndAction("volume", switch (volume) {
                case VolumeEvent.VolumeCreated ignored -> "create";
                case VolumeEvent.VolumeRemoved ignored -> "destroy";
            });
            case NetworkEvent network -> new TypeAndAction("network", switch (network) {
                case NetworkEvent.NetworkCreated ignored -> "create";
                case NetworkEvent.NetworkRemoved ignored -> "destroy";
                case NetworkEvent.ContainerConnected ignored -> "connect";
                case NetworkEvent.ContainerDisconnected ignored -> "disconnect";
                case NetworkEvent.PortsPublished ignored -> "publish";
                // recorded for the container's starts; a running container's joining is its "connect" event
                case NetworkEvent.MembershipAdded ignored -> "member-add";
                case NetworkEvent.MembershipDropped ignored -> "member-drop";
            });
        };
    }

    private static String imageAction(ImageEvent event) {
        return switch (event) {
            case ImageEvent.PullStarted ignored -> "pull-start";
            case ImageEvent.LayerDownloaded ignored -> "layer-download";
            case ImageEvent.LayerUnpacked ignored -> "layer-unpack";
            case ImageEvent.ImagePulled ignored -> "pull";
            case ImageEvent.PullFailed ignored -> "pull-fail";
            case ImageEvent.ImagePushed ignored -> "push";
            case ImageEvent.PushFailed ignored -> "push-fail";
            case ImageEvent.ImageTagged ignored -> "tag";
            case ImageEvent.ImageUntagged ignored -> "untag";
            case ImageEvent.ImageRemoved ignored -> "delete";
            // Docker's image action for an import is "import"; a commit is "load" here (Docker reports it as the container's "commit")
            case ImageEvent.ImageLoaded loaded -> loaded.format().equals("import") ? "import" : "load";
            case ImageEvent.LayerRemoved ignored -> "layer-remove";
            case ImageEvent.BlobRemoved ignored -> "blob-remove";
        };
    }

    /**
     * Names an event is also about besides its subject (Docker's {@code name} attribute): the
     * reference pulled or pushed, the tag put on or taken off.
     */
    public static java.util.List<String> names(EventEnvelope envelope) {
        return switch (envelope.payload()) {
            case ImageEvent.ImagePulled e -> java.util.List.of(e.reference());
            case ImageEvent.ImagePushed e -> java.util.List.of(e.reference());
            case ImageEvent.ImageTagged e -> java.util.List.of(e.tag());
            case ImageEvent.ImageUntagged e -> java.util.List.of(e.tag());
            case ImageEvent.ImageLoaded e -> e.tags();
            case BuildEvent.BuildStarted e -> e.tags();
            case BuildEvent.BuildCompleted e -> e.tags();
            case ContainerEvent.ContainerCreated e -> java.util.List.of(e.name());
            case ContainerEvent.ContainerRenamed e -> java.util.List.of(e.newName());
            case NetworkEvent.NetworkCreated e -> java.util.List.of(e.name());
            case NetworkEvent.NetworkRemoved e -> java.util.List.of(e.name());
            default -> java.util.List.of();
        };
    }

    /**
     * What Docker's container events carry besides the id.
     *
     * @param name   the container's name (no leading slash)
     * @param image  the image as the user named it
     * @param labels the container's labels
     */
    public record ContainerFacts(String name, String image, java.util.Map<String, String> labels) {}

    /**
     * The facts of the containers a stream's events are about: learned from the {@code ContainerCreated} and
     * {@code ContainerRenamed} events the stream passes (so a removed container's last events still carry them),
     * else asked of {@code fallback} (the live state, for containers created before the stream began).
     */
    public static final class ContainerFactsTracker {
        private final java.util.Map<String, ContainerFacts> known = new java.util.HashMap<>();
        private final java.util.function.Function<String, java.util.Optional<ContainerFacts>> fallback;
        private final ObjectMapper mapper;

        public ContainerFactsTracker(java.util.function.Function<String, java.util.Optional<ContainerFacts>> fallback, ObjectMapper mapper) {
            this.fallback = fallback;
            this.mapper = mapper;
        }

        /** The facts for this event's container, after learning what the event tells. */
        java.util.Optional<ContainerFacts> learn(EventEnvelope envelope) {
            switch (envelope.payload()) {
                case ContainerEvent.ContainerCreated created -> {
                    java.util.Map<String, String> labels = new java.util.TreeMap<>();
                    try {
                        mapper.readTree(created.configJson()).path("Config").path("Labels").fields()
                                .forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
                    } catch (java.io.IOException unreadable) {
                        // no labels to show
                    }
                    known.put(created.id(), new ContainerFacts(created.name(), created.image(), labels));
                }
                case ContainerEvent.ContainerRenamed renamed -> {
                    ContainerFacts before = facts(renamed.id());
                    if (before != null) {
                        known.put(renamed.id(), new ContainerFacts(renamed.newName(), before.image(), before.labels()));
                    }
                }
                case ContainerEvent ignored -> { }
                default -> {
                    return java.util.Optional.empty();
                }
            }
            ContainerFacts facts = facts(envelope.subject());
            if (envelope.payload() instanceof ContainerEvent.ContainerRemoved) {
                known.remove(envelope.subject()); // its last event: nothing after it needs the facts
            }
            return java.util.Optional.ofNullable(facts);
        }

        private ContainerFacts facts(String id) {
            ContainerFacts facts = known.get(id);
            if (facts == null) {
                facts = fallback.apply(id).orElse(null);
                if (facts != null) {
                    known.put(id, facts);
                }
            }
            return facts;
        }
    }

    /** The Docker-shaped JSON object for one event. */
    public static ObjectNode toDocker(EventEnvelope envelope, byte[] envelopeJson, ObjectMapper mapper) throws java.io.IOException {
        return toDocker(envelope, envelopeJson, mapper, null);
    }

    /**
     * The Docker-shaped JSON object for one event; container events get the container's labels, {@code image} and
     * {@code name} as attributes from {@code containers} (when given), and, as Docker's, {@code exitCode} on
     * {@code die}, {@code signal} on {@code kill}, {@code execID} on exec events, and the deprecated top-level
     * {@code status}, {@code id} and {@code from} that older clients (docker-compose 1.x) read.
     */
    public static ObjectNode toDocker(EventEnvelope envelope, byte[] envelopeJson, ObjectMapper mapper, ContainerFactsTracker containers)
            throws java.io.IOException {
        TypeAndAction shape = of(envelope);
        ObjectNode node = mapper.createObjectNode();
        if (shape.type().equals("container") || shape.type().equals("image")) {
            node.put("status", shape.action());
            node.put("id", envelope.subject());
        }
        node.put("Type", shape.type());
        node.put("Action", shape.action());
        ObjectNode actor = node.putObject("Actor");
        actor.put("ID", envelope.subject());
        ObjectNode attributes = actor.putObject("Attributes");
        java.util.Optional<ContainerFacts> container = containers == null ? java.util.Optional.empty() : containers.learn(envelope);
        container.ifPresent(facts -> {
            facts.labels().forEach(attributes::put);
            attributes.put("image", facts.image());
            attributes.put("name", facts.name());
            node.put("from", facts.image());
        });
        java.util.List<String> names = names(envelope);
        if (!names.isEmpty()) {
            attributes.put("name", names.getFirst());
        }
        switch (envelope.payload()) {
            case ContainerEvent.ContainerExited e -> attributes.put("exitCode", Integer.toString(e.exitCode()));
            case ContainerEvent.ContainerKilled e -> attributes.put("signal", Integer.toString(e.signal()));
            case ContainerEvent.ExecStarted e -> attributes.put("execID", e.execId());
            case ContainerEvent.ExecExited e -> {
                attributes.put("execID", e.execId());
                attributes.put("exitCode", Integer.toString(e.exitCode()));
            }
            // Docker's network connect/disconnect events name the container in the attribute "container"
            case NetworkEvent.ContainerConnected e -> attributes.put("container", e.containerId());
            case NetworkEvent.ContainerDisconnected e -> attributes.put("container", e.containerId());
            case NetworkEvent.PortsPublished e -> attributes.put("container", e.containerId());
            case NetworkEvent.MembershipAdded e -> attributes.put("container", e.containerId());
            case NetworkEvent.MembershipDropped e -> attributes.put("container", e.containerId());
            case NetworkEvent.NetworkCreated e -> attributes.put("type", e.driver());
            default -> { }
        }
        attributes.put("berth.type", envelope.type());
        attributes.put("berth.user", envelope.actor().user());
        attributes.put("berth.uid", Integer.toString(envelope.actor().uid()));
        attributes.put("berth.pid", Long.toString(envelope.actor().pid()));
        node.put("scope", "local");
        long epochSecond = envelope.time().getEpochSecond();
        node.put("time", epochSecond);
        node.put("timeNano", epochSecond * 1_000_000_000L + envelope.time().getNano());
        node.set("berth", mapper.readTree(envelopeJson));
        return node;
    }
}
