package io.berth.plugin.netavark;

import io.berth.spi.network.Attachment;
import io.berth.spi.network.PortMapping;

import java.util.List;
import java.util.Map;

/**
 * What the driver keeps of one attachment.
 *
 * @param networkId   the network
 * @param containerId the container
 * @param netns       the namespace it was set up in
 * @param ip          its address, reserved from before setup
 * @param ifname      its interface in the namespace
 * @param setup       netavark's setup input, given again to teardown
 * @param attachment  what setup gave; {@code null} while setup runs (or if the daemon died then)
 */
record StoredAttachment(String networkId, String containerId, String netns, String ip, String ifname,
                       Map<String, Object> setup, Attachment attachment) {
    List<PortMapping> ports() {
        return attachment != null ? attachment.portMappings() : List.of();
    }

    /** Whether this is the network's anchor, the driver's own member that keeps the bridge up. */
    boolean anchor() {
        return containerId.equals(NetavarkDriver.ANCHOR_ID);
    }
}
