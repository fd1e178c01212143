package io.berth.spi;

import io.berth.spi.network.AttachRequest;
import io.berth.spi.network.Attachment;
import io.berth.spi.network.NetworkDefinition;
import io.berth.spi.network.NetworkException;

import java.util.Collection;
import java.util.List;

/**
 * Connects containers to networks: a host bridge per network, an interface in each member's
 * network namespace, published ports and a DNS server for members' names. The built-in
 * implementation is {@code netavark}: netavark makes the bridges, veth pairs and firewall rules,
 * aardvark-dns answers names; the driver does address management itself.
 *
 * <h2>Vocabulary</h2>
 * <dl>
 *   <dt>network</dt>
 *   <dd>A named layer-2 segment on the host with one or more subnets, described by a
 *       {@link NetworkDefinition}. Docker's default {@code bridge} network is one like any other to
 *       a driver. The engine owns the record of networks (in its event log); the driver keeps only
 *       what it needs to tear down what it made.</dd>
 *   <dt>endpoint (attachment)</dt>
 *   <dd>One container's membership in one network: an interface in the container's namespace with
 *       an address from the subnet, a route to the gateway (unless the network is internal), its
 *       names in the network's DNS and its published ports. Described by an {@link Attachment};
 *       identified by (network id, container id).</dd>
 *   <dt>network namespace path</dt>
 *   <dd>A file that holds the container's network namespace open, such as {@code /proc/PID/ns/net}
 *       or a bind mount of it under {@code /run/netns}. The engine creates the namespace (the
 *       runtime does, with the container); the driver only configures it.</dd>
 *   <dt>port mapping</dt>
 *   <dd>{@code [host ip:]host port → container port/protocol}, possibly a range: connections to the
 *       host port, including on {@code 127.0.0.1}, reach the container's address. Mappings are
 *       fixed when the container joins; to change them the engine detaches and attaches again.</dd>
 *   <dt>address management (IPAM)</dt>
 *   <dd>Choosing a free subnet for a network and a free address for a member. It is deterministic
 *       (the lowest free one), never hands out the gateway, network or broadcast address, and its
 *       state lives in the driver's data directory, rebuilt from it after a restart.</dd>
 * </dl>
 *
 * <h2>Lifecycle: a network and its members</h2>
 * <ol>
 *   <li>{@link #create(NetworkDefinition)} checks the request (name, subnets, gateway), fills in
 *       what it leaves out and returns the completed definition, which the engine records. It may
 *       make nothing on the host yet: bridges may come with the first member, and may stay after
 *       the last one leaves, until the network is removed or the daemon stops.</li>
 *   <li>{@link #attach(String, AttachRequest)} connects a container's namespace before its program
 *       starts and returns its address, gateway, MAC address and DNS server.</li>
 *   <li>{@link #detach(String, String)} disconnects it when the container stops or leaves the
 *       network: its interface, rules, DNS names and address are gone. Detaching what is not
 *       attached does nothing, so teardown can always be repeated.</li>
 *   <li>{@link #remove(String)} forgets a network without members; nothing of it remains on the
 *       host. Removing an unknown network does nothing.</li>
 * </ol>
 *
 * <h2>Lifecycle: daemon restart</h2>
 * Attachments outlive the daemon: running containers keep their addresses and ports. On start-up
 * the engine calls {@link #restore(Collection)} with every network its log holds; the driver
 * forgets networks not listed, keeps its attachments (from its data directory) and can then
 * detach them. The engine compares {@link #attachments()} with its containers and detaches those
 * whose container ended while it was down.
 *
 * <p>Every failure is a {@link NetworkException} with a one-line message and leaves nothing
 * half-made. Implementations are safe for concurrent use.
 */
public interface NetworkDriver extends BerthExtension {

    /**
     * Checks whether the driver can work on this host: its programs (one
     * {@link Probe.Kind#PROGRAM} check per program, named after it, whose path an option of the
     * same name overrides) and privileges. Changes nothing on the host.
     *
     * @return the checks and their results
     */
    Probe probe();

    /**
     * Validates and completes a network: a free subnet when none is given, the gateway (the first
     * host address) when a subnet has none, a host interface name when none is given.
     *
     * @param request the network as the user asked for it
     * @return the completed definition, to be recorded by the engine
     * @throws NetworkException {@link NetworkException.Reason#INVALID} for a malformed name,
     *                          subnet or gateway, or an unknown driver;
     *                          {@link NetworkException.Reason#CONFLICT} for a name or id the driver
     *                          knows already, a subnet overlapping another network's, or a bridge name
     *                          in use; {@link NetworkException.Reason#NOT_USABLE} when the host lacks
     *                          a program
     */
    NetworkDefinition create(NetworkDefinition request) throws NetworkException;

    /**
     * Tells the driver, after a restart, which networks exist. Networks the driver knew but that
     * are not listed, and have no members, are forgotten.
     *
     * @param networks every network the engine's log holds, as {@link #create} completed them
     * @throws NetworkException {@link NetworkException.Reason#FAILED} if the driver's state cannot be read
     */
    void restore(Collection<NetworkDefinition> networks) throws NetworkException;

    /**
     * The networks the driver knows.
     *
     * @return the completed definitions, by name
     */
    List<NetworkDefinition> networks();

    /**
     * Connects a container's network namespace to a network.
     *
     * @param networkId the network's id
     * @param request   the container, its namespace, names, address and ports
     * @return what it got
     * @throws NetworkException {@link NetworkException.Reason#NOT_FOUND} for an unknown network;
     *                          {@link NetworkException.Reason#CONFLICT} if the container is attached
     *                          already or its static address is taken; {@link NetworkException.Reason#INVALID}
     *                          for an address outside the subnet or a missing namespace;
     *                          {@link NetworkException.Reason#PORT_IN_USE} for a host port in use;
     *                          {@link NetworkException.Reason#NOT_USABLE} when the host lacks a program;
     *                          {@link NetworkException.Reason#FAILED} with the backend's words otherwise.
     *                          After a failure the namespace, host and address pool are as before.
     */
    Attachment attach(String networkId, AttachRequest request) throws NetworkException;

    /**
     * Disconnects a container from a network and frees its address and ports. Does nothing if it
     * is not attached; works also when its namespace is already gone (the container ended).
     *
     * @param networkId   the network's id
     * @param containerId the container's id
     * @throws NetworkException {@link NetworkException.Reason#FAILED} if the backend cannot undo it;
     *                          the attachment is then kept, so that a later call can retry
     */
    void detach(String networkId, String containerId) throws NetworkException;

    /**
     * The current attachments, as their {@link #attach} returned them.
     *
     * @return every attachment of every network
     */
    List<Attachment> attachments();

    /**
     * Removes a network without members. Does nothing for an unknown network.
     *
     * @param networkId the network's id
     * @throws NetworkException {@link NetworkException.Reason#IN_USE} while containers are attached
     */
    void remove(String networkId) throws NetworkException;
}
