package io.berth.engine.container;

import java.util.Map;

/**
 * What a caller asks of volumes, completed: an anonymous volume has its generated name, the data directory is
 * chosen, and whether a container uses the volume is looked up. {@link VolumeDecider#decide} turns a command and
 * the state into the event to record (none when there is nothing to change), or refuses it.
 */
public sealed interface VolumeCommand {

    /**
     * Create a local volume, or take the existing one of that name.
     *
     * @param name       the name (given, or generated for an anonymous volume)
     * @param dataPath   its {@code <root>/volumes/<name>/_data}
     * @param labels     labels
     * @param anonymous  made for one container's mount, removed with it
     */
    record CreateVolume(String name, String dataPath, Map<String, String> labels, boolean anonymous) implements VolumeCommand { }

    /**
     * Remove a volume and its data.
     *
     * @param name            the name
     * @param usedByContainer a container (running or not) uses it
     */
    record RemoveVolume(String name, boolean usedByContainer) implements VolumeCommand { }
}
