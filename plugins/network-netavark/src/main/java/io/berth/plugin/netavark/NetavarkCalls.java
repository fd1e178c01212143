package io.berth.plugin.netavark;

import io.berth.text.json.Json;
import io.berth.spi.network.NetworkDefinition;
import io.berth.spi.network.NetworkException;
import io.berth.spi.network.NetworkException.Reason;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The programs the driver runs besides {@code netavark setup}: {@code netavark teardown}, with the scratch
 * namespace netavark 1.4 needs when a member's namespace is gone, and {@code ip netns} for the anchors' and
 * the scratch namespaces, which carry a tag of the data directory so that one daemon never removes another's.
 */
final class NetavarkCalls {

    private final Map<String, String> options;
    private final StateFiles files;
    private final System.Logger logger;

    /**
     * @param options the plugin's options (program paths)
     * @param files   the driver's state (netavark's config directory, the data directory's tag)
     * @param logger  where failures that do not stop the caller go
     */
    NetavarkCalls(Map<String, String> options, StateFiles files, System.Logger logger) {
        this.options = Map.copyOf(options);
        this.files = files;
        this.logger = logger;
    }

    /** @return the program's path, or the driver's NOT_USABLE error naming the package to install */
    Path program(String name, String debianPackage, String where) throws NetworkException {
        Programs.Lookup lookup = Programs.lookup(options, name, debianPackage);
        if (lookup.path() == null) {
            throw new NetworkException(Reason.NOT_USABLE, where + ": " + lookup.check());
        }
        return lookup.path();
    }

    /**
     * Runs netavark teardown with the input setup had. When the container's namespace is gone (the
     * container ended), netavark 1.4 cannot open it and stops before it removes the bridge and its
     * rules; it is then given a scratch namespace holding an interface of the container's
     * interface name to delete, and does the rest.
     *
     * @param network the member's network, null if its definition is gone
     * @param last    whether no other member of the network is left, so that netavark removes the bridge
     */
    void teardown(String where, StoredAttachment stored, boolean bestEffort, NetworkDefinition network, boolean last) throws NetworkException {
        try {
            teardown(where, stored, bestEffort, network, last, !Files.exists(Path.of(stored.netns())));
        } catch (NetworkException e) {
            // The namespace is there but the container's interface is not (torn down before, or
            // replaced): netavark stops at the missing veth, so finish the rest as for a gone namespace.
            if (e.getMessage().contains("No such device") && Files.exists(Path.of(stored.netns()))) {
                teardown(where, stored, bestEffort, network, last, true);
            } else {
                throw e;
            }
        }
    }

    private void teardown(String where, StoredAttachment stored, boolean bestEffort, NetworkDefinition network, boolean last,
                          boolean gone) throws NetworkException {
        Path netavark = program("netavark", "netavark", where);
        Path aardvark = program("aardvark-dns", "aardvark-dns", where);
        String scratch = null;
        String netns = stored.netns();
        try {
            if (gone) {
                Path ip = program("ip", "iproute2", where);
                scratch = scratchPrefix() + UUID.randomUUID().toString().substring(0, 8);
                Command.check(where, ip.toString(), "netns", "add", scratch);
                Command.check(where, ip.toString(), "-n", scratch, "link", "add", stored.ifname(), "type", "veth", "peer", "name", "berthscratch0");
                netns = "/run/netns/" + scratch;
            }
            Command.Result result = Command.run(List.of(netavark.toString(), "--config", files.configDirectory().toString(), "--aardvark-binary",
                    aardvark.toString(), "teardown", netns), Json.write(stored.setup()), Command.TIMEOUT_SECONDS);
            if (!result.ok() && !bestEffort && !gone) {
                throw new NetworkException(Reason.FAILED, where + ": netavark teardown failed: " + Command.netavarkError(result));
            }
            if (!result.ok()) {
                logger.log(System.Logger.Level.DEBUG, where + ": netavark teardown: " + Command.netavarkError(result));
            }
            // The last member gone, netavark removes the bridge with its rules; check it did when it complained.
            if (!result.ok() && !bestEffort && last && network != null
                    && Files.exists(Path.of("/sys/class/net", network.networkInterface()))) {
                throw new NetworkException(Reason.FAILED, where + ": netavark teardown left bridge " + network.networkInterface()
                        + ": " + Command.netavarkError(result));
            }
        } catch (IOException e) {
            if (e instanceof NetworkException ne) {
                throw ne;
            }
            throw new NetworkException(Reason.FAILED, where + ": cannot run netavark teardown: " + e.getMessage(), e);
        } finally {
            if (scratch != null) {
                try {
                    Command.check(where, program("ip", "iproute2", where).toString(), "netns", "del", scratch);
                } catch (IOException e) {
                    logger.log(System.Logger.Level.WARNING, where + ": cannot remove scratch namespace " + scratch + ": " + e.getMessage());
                }
            }
        }
    }

    /**
     * The names of this driver's scratch namespaces: {@code berth-nv-}, a tag of its data directory (so that
     * one daemon never removes another's on the same host), then a random part.
     */
    String scratchPrefix() {
        return String.format("berth-nv-%06x-", files.data().toAbsolutePath().toString().hashCode() & 0xffffff);
    }

    /** Makes the namespace {@code /run/netns/NAME} afresh (an anchor's, left by a killed daemon, goes first). */
    void addNamespace(String where, String namespace) throws NetworkException {
        String ip = program("ip", "iproute2", where).toString();
        try {
            if (Files.exists(Path.of("/run/netns", namespace))) {
                Command.check(where, ip, "netns", "del", namespace);
            }
            Command.check(where, ip, "netns", "add", namespace);
        } catch (IOException e) {
            throw e instanceof NetworkException ne ? ne : new NetworkException(Reason.FAILED, where + ": " + e.getMessage(), e);
        }
    }

    /** Removes a namespace the driver made under /run/netns, if it is there; a failure is logged. */
    void deleteNamespace(String where, String netns) {
        Path path = Path.of(netns);
        if (!path.startsWith("/run/netns") || !Files.exists(path)) {
            return;
        }
        try {
            Command.check(where, program("ip", "iproute2", where).toString(), "netns", "del", path.getFileName().toString());
        } catch (IOException e) {
            logger.log(System.Logger.Level.WARNING, where + ": cannot remove namespace " + netns + ": " + e.getMessage());
        }
    }

    /**
     * A daemon killed during a teardown leaves its scratch namespace in /run/netns (the {@code finally} that
     * deletes it never ran): at start, every one of this driver's is removed.
     */
    void removeStaleScratchNamespaces(Set<String> kept) {
        Path netnsDir = Path.of("/run/netns");
        if (!Files.isDirectory(netnsDir)) {
            return;
        }
        String prefix = scratchPrefix();
        try (var entries = Files.list(netnsDir)) {
            for (Path ns : entries.filter(p -> p.getFileName().toString().startsWith(prefix) && !kept.contains(p.toString())).toList()) {
                try {
                    Command.check("scratch namespace " + ns.getFileName(), program("ip", "iproute2", "restore").toString(),
                            "netns", "del", ns.getFileName().toString());
                } catch (IOException e) {
                    logger.log(System.Logger.Level.WARNING, "cannot remove stale scratch namespace "
                            + ns.getFileName() + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            logger.log(System.Logger.Level.WARNING, "cannot list /run/netns: " + e.getMessage());
        }
    }
}
