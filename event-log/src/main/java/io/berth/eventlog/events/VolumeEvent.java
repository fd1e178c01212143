package io.berth.eventlog.events;

import java.util.Map;

/** Events about named and anonymous volumes; the subject is the volume name. */
public sealed interface VolumeEvent extends Event permits VolumeEvent.VolumeCreated, VolumeEvent.VolumeRemoved {

    /**
     * A volume was created.
     *
     * @param name       its name (64 hex for an anonymous volume)
     * @param driver     {@code local}
     * @param mountpoint the directory on the host
     * @param labels     its labels
     * @param anonymous  created for an image's VOLUME without a name
     */
    record VolumeCreated(String name, String driver, String mountpoint, Map<String, String> labels, boolean anonymous)
            implements VolumeEvent {
        public VolumeCreated {
            labels = Map.copyOf(labels);
        }

        @Override
        public String subject() {
            return name;
        }
    }

    /**
     * A volume was removed with its data.
     *
     * @param name the volume
     */
    record VolumeRemoved(String name) implements VolumeEvent {
        @Override
        public String subject() {
            return name;
        }
    }
}
