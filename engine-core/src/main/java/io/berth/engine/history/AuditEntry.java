package io.berth.engine.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.engine.events.DockerEventShape;
import io.berth.eventlog.Actor;
import io.berth.eventlog.EventEnvelope;
import io.berth.eventlog.events.BuildEvent;
import io.berth.eventlog.events.ContainerEvent;
import io.berth.eventlog.events.DaemonEvent;
import io.berth.eventlog.events.ImageEvent;
import io.berth.eventlog.events.NetworkEvent;
import io.berth.eventlog.events.NoteEvent;
import io.berth.eventlog.events.PluginEvent;
import io.berth.eventlog.events.VolumeEvent;
import io.berth.text.format.AuditLine;
import io.berth.text.json.Json;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * One line of an audit timeline: when, who (uid, user, pid, client), what happened to which object,
 * and the correlation id that ties it to the other events of the same request. The JSON form
 * ({@link #toJson}) is what {@code GET /berth/audit} streams and {@code berth audit --format json}
 * prints; {@link #line} is the readable form, the same in the CLI and offline.
 */
public final class AuditEntry {
    private AuditEntry() {}

    /** The entry for an event, as JSON (see docs/API.md, "Audit"). */
    public static ObjectNode toJson(EventEnvelope event, ObjectMapper mapper) {
        DockerEventShape.TypeAndAction shape = DockerEventShape.of(event);
        ObjectNode node = mapper.createObjectNode();
        node.put("sequence", event.sequence());
        node.put("time", event.time().toString());
        node.put("object", shape.type());
        node.put("action", shape.action());
        node.put("type", event.type());
        node.put("subject", event.subject());
        List<String> names = DockerEventShape.names(event);
        if (!names.isEmpty()) {
            node.put("name", names.getFirst());
        }
        ObjectNode actor = node.putObject("actor");
        Actor a = event.actor();
        actor.put("uid", a == null ? -1 : a.uid());
        actor.put("user", a == null ? "" : a.user());
        actor.put("pid", a == null ? 0 : a.pid());
        actor.put("client", a == null ? "" : a.client());
        node.put("correlationId", event.correlationId());
        node.put("description", describe(event));
        return node;
    }

    /**
     * The readable line for an entry as {@link #toJson} writes it:
     * {@code TIME  USER(UID) pid=PID CLIENT  OBJECT SUBJECT  DESCRIPTION  correlation=ID}, rendered by the
     * CLI's own {@link AuditLine}, so the offline audit and {@code berth audit} print the same line.
     */
    @SuppressWarnings("unchecked")
    public static String line(ObjectNode entry) {
        try {
            return AuditLine.render((Map<String, Object>) Json.parse(entry.toString()));
        } catch (IOException e) {
            throw new IllegalStateException("Jackson wrote JSON the text module cannot read back", e);
        }
    }

    /** Docker's 12-character short id for long hexadecimal ids; names and references unchanged. */
    static String shortId(String subject) {
        return AuditLine.shortId(subject);
    }

    /** What happened, in a few words. */
    public static String describe(EventEnvelope event) {
        return switch (event.payload()) {
            case ContainerEvent.ContainerCreated e -> "created container " + e.name() + " from " + e.image();
            case ContainerEvent.ContainerStarted e -> e.pid() > 0 ? "started (pid " + e.pid() + ")" : "started";
            case ContainerEvent.ContainerStartFailed e -> "start failed with exit code " + e.exitCode() + ": " + e.reason();
            case ContainerEvent.ContainerKilled e -> "sent signal " + e.signal();
            case ContainerEvent.ContainerExited e -> "exited with code " + e.exitCode()
                    + (e.signal() != 0 ? " (signal " + e.signal() + ")" : "") + (e.oomKilled() ? " (out of memory)" : "")
                    + (e.whileDown() ? " while the daemon was down" : "");
            case ContainerEvent.ContainerRemoved e -> "removed" + (e.volumes().isEmpty() ? "" : " with volumes " + String.join(", ", e.volumes()));
            case ContainerEvent.ContainerRenamed e -> "renamed from " + e.oldName() + " to " + e.newName();
            case ContainerEvent.ExecStarted e -> "exec " + e.execId().substring(0, Math.min(12, e.execId().length()))
                    + " started: " + String.join(" ", e.command()) + (e.user().isEmpty() ? "" : " as " + e.user());
            case ContainerEvent.ExecExited e -> "exec " + e.execId().substring(0, Math.min(12, e.execId().length()))
                    + " exited with code " + e.exitCode();
            case ContainerEvent.ContainerPaused e -> "paused";
            case ContainerEvent.ContainerUnpaused e -> "unpaused";
            case ContainerEvent.ContainerUpdated e -> "updated " + new java.util.TreeMap<>(e.changes());
            case ContainerEvent.ContainerStopped e -> "stopped";
            case ContainerEvent.ContainerHealthChanged e -> "health " + e.status() + " (probe exit code " + e.exitCode()
                    + ", failing streak " + e.failingStreak() + ")";
            case ImageEvent.PullStarted e -> "pull of " + e.reference() + " started";
            case ImageEvent.LayerDownloaded e -> "layer " + shortId(e.digest()) + (e.alreadyPresent() ? " already present" : " downloaded (" + e.size() + " bytes)");
            case ImageEvent.LayerUnpacked e -> "layer " + shortId(e.diffId()) + " unpacked";
            case ImageEvent.ImagePulled e -> (e.upToDate() ? "pulled " + e.reference() + " (already up to date)" : "pulled " + e.reference())
                    + " as " + shortId(e.image().imageId());
            case ImageEvent.PullFailed e -> "pull of " + e.reference() + " failed: " + e.reason();
            case ImageEvent.ImagePushed e -> "pushed as " + e.reference() + " (" + e.manifestDigest() + ")";
            case ImageEvent.PushFailed e -> "push of " + e.reference() + " failed: " + e.reason();
            case ImageEvent.ImageTagged e -> "tagged " + e.tag();
            case ImageEvent.ImageUntagged e -> "untagged " + e.tag();
            case ImageEvent.ImageRemoved e -> "removed";
            case ImageEvent.ImageLoaded e -> (e.format().equals("commit") ? "committed from a container"
                    : e.format().equals("import") ? "imported from a tar" : "loaded from a " + e.format() + " archive") + (e.tags().isEmpty() ? "" : " as " + String.join(", ", e.tags()));
            case ImageEvent.LayerRemoved e -> "layer removed";
            case ImageEvent.BlobRemoved e -> "blob removed (" + e.size() + " bytes)";
            case VolumeEvent.VolumeCreated e -> "created volume " + e.name() + (e.anonymous() ? " (anonymous)" : "");
            case VolumeEvent.VolumeRemoved e -> "removed volume " + e.name();
            case NetworkEvent.NetworkCreated e -> "created network " + e.name()
                    + (e.subnets().isEmpty() ? "" : " (" + e.subnets().getFirst().cidr() + ")");
            case NetworkEvent.NetworkRemoved e -> "removed network " + e.name();
            case NetworkEvent.ContainerConnected e -> "connected container " + shortId(e.containerId())
                    + " as " + e.ipAddress();
            case NetworkEvent.ContainerDisconnected e -> "disconnected container " + shortId(e.containerId());
            case NetworkEvent.PortsPublished e -> "published " + e.ports() + " for container "
                    + shortId(e.containerId());
            case NetworkEvent.MembershipAdded e -> "container " + shortId(e.containerId())
                    + " joins the network at its starts" + (e.aliases().isEmpty() ? "" : " as " + String.join(", ", e.aliases()));
            case NetworkEvent.MembershipDropped e -> "container " + shortId(e.containerId())
                    + " no longer joins the network at its starts";
            case DaemonEvent.DaemonStarted e -> "daemon " + e.version() + " started (pid " + e.pid() + ")";
            case DaemonEvent.DaemonStopped e -> "daemon stopped (" + e.reason() + ")";
            case DaemonEvent.LogCompacted e -> "history through event " + e.throughSequence() + " (" + e.throughTime() + ") compacted"
                    + (e.archivedFiles().isEmpty() ? "" : "; archived " + String.join(", ", e.archivedFiles()));
            case PluginEvent.PluginLoaded e -> "plugin " + e.pluginId() + " " + e.version() + " loaded";
            case PluginEvent.PluginFailed e -> "plugin " + e.pluginId() + " failed: " + e.reason();
            case NoteEvent.NoteRecorded e -> "note: " + e.text();
            case BuildEvent.BuildStarted e -> (e.replayOf().isEmpty() ? "build started" : "replay of build " + shortId(e.replayOf()) + " started")
                    + " from " + e.dockerfileName() + " (" + shortId(e.dockerfileDigest()) + "), context " + shortId(e.contextDigest())
                    + (e.target().isEmpty() ? "" : ", target " + e.target()) + (e.noCache() ? ", no cache" : "")
                    + (e.tags().isEmpty() ? "" : ", tags " + String.join(", ", e.tags()));
            case BuildEvent.BuildStepStarted e -> "step " + e.step() + " started: " + e.instruction() + " (" + e.location() + ")";
            case BuildEvent.BuildStepCached e -> "step " + e.step() + " cached: " + e.reason();
            case BuildEvent.BuildStepCompleted e -> "step " + e.step() + " built"
                    + (e.diffId().isEmpty() ? "" : ", layer " + shortId(e.diffId()) + " (" + e.layerSize() + " bytes)")
                    + " in " + e.durationMillis() + " ms" + (e.cacheMiss().isEmpty() ? "" : "; not cached: " + e.cacheMiss());
            case BuildEvent.BuildStepFailed e -> "step " + e.step() + " failed"
                    + (e.exitCode() >= 0 ? " with exit code " + e.exitCode() : "") + ": " + e.message();
            case BuildEvent.BuildCompleted e -> "build completed: image " + shortId(e.imageId())
                    + (e.tags().isEmpty() ? "" : " tagged " + String.join(", ", e.tags())) + " in " + e.durationMillis() + " ms";
            case BuildEvent.BuildFailed e -> "build failed: " + e.reason();
            case BuildEvent.BuildCacheMountUsed e -> "step " + e.step() + (e.created() ? " created" : " used")
                    + " cache mount " + e.cacheId() + " at " + e.target() + " (" + e.sharing() + ")";
        };
    }
}
