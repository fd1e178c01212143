package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's /etc/hostname, /etc/hosts and /etc/resolv.conf, as Docker writes them: in the
 * container's bundle directory, bind-mounted over the image's files. They are written in place, so
 * that a rewrite after the container joined its networks reaches the mounts.
 *
 * <p>/etc/hosts: the host's file on the host network; else the localhost lines, the
 * {@code --add-host} entries ({@code host-gateway} is the network's gateway), then the container's
 * address and hostname (127.0.1.1 before it has an address). /etc/resolv.conf: {@code --dns},
 * {@code --dns-search} and {@code --dns-option} first; else the network's DNS server on a network
 * with DNS; else, on a bridge, the host's resolvers without loopback ones (Docker's 8.8.8.8 and
 * 8.8.4.4 when none is left), the host's {@code search} and {@code options} kept; else (host
 * network, or no network yet) the host's file as it is.
 */
public final class EtcFiles {
    /** The files, by their name in the bundle and under /etc in the container. */
    public static final List<String> NAMES = List.of("hostname", "hosts", "resolv.conf");

    private static final Path HOST_HOSTS = Path.of("/etc/hosts");
    private static final Path HOST_RESOLV = Path.of("/etc/resolv.conf");

    private EtcFiles() {}

    /**
     * What a user may ask for in these files ({@code HostConfig}'s fields).
     *
     * @param extraHosts {@code --add-host}: {@code name:address}
     * @param dns        {@code --dns}: name servers
     * @param dnsSearch  {@code --dns-search}
     * @param dnsOptions {@code --dns-option}
     */
    public record Settings(List<String> extraHosts, List<String> dns, List<String> dnsSearch, List<String> dnsOptions) {
        /** Nothing asked for: a build step's files. */
        public static final Settings NONE = new Settings(List.of(), List.of(), List.of(), List.of());

        /** The settings of a container's stored {@code HostConfig}. */
        public static Settings of(JsonNode hostConfig) {
            return new Settings(texts(hostConfig.path("ExtraHosts")), texts(hostConfig.path("Dns")),
                    texts(hostConfig.path("DnsSearch")), texts(hostConfig.path("DnsOptions")));
        }

        private static List<String> texts(JsonNode array) {
            List<String> out = new ArrayList<>();
            array.forEach(n -> out.add(n.asText()));
            return List.copyOf(out);
        }
    }

    /**
     * Writes the three files into {@code bundle}.
     *
     * @param hostNetwork the container shares the host's network namespace
     * @param joined      what the container got on its networks, the first being the primary one; empty before it joined
     */
    public static void write(Path bundle, String hostname, boolean hostNetwork, Settings settings,
                             List<ContainerNetworks.Connected> joined) throws IOException {
        Files.writeString(bundle.resolve("hostname"), hostname + "\n");
        Files.writeString(bundle.resolve("hosts"), hosts(hostname, hostNetwork, settings, joined), StandardCharsets.UTF_8);
        Files.writeString(bundle.resolve("resolv.conf"), resolvConf(hostNetwork, settings, joined), StandardCharsets.UTF_8);
    }

    /** The mounts that put the files of {@code bundle} in place. */
    public static List<RuntimeSpecInput.MountSpec> mounts(Path bundle) {
        List<RuntimeSpecInput.MountSpec> mounts = new ArrayList<>();
        for (String file : NAMES) {
            mounts.add(new RuntimeSpecInput.MountSpec("/etc/" + file, "bind", bundle.resolve(file).toString(),
                    List.of("rbind", "rprivate")));
        }
        return mounts;
    }

    static String hosts(String hostname, boolean hostNetwork, Settings settings, List<ContainerNetworks.Connected> joined)
            throws IOException {
        StringBuilder hosts = new StringBuilder();
        if (hostNetwork && Files.isRegularFile(HOST_HOSTS)) {
            hosts.append(Files.readString(HOST_HOSTS));
        } else {
            hosts.append("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                    + "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
        }
        for (String entry : settings.extraHosts()) {
            int colon = entry.indexOf(':');
            String address = colon > 0 ? entry.substring(colon + 1) : "";
            if (address.equals("host-gateway")) {
                // Docker's name for the host as the container reaches it: its network's gateway
                address = joined.isEmpty() ? "" : joined.getFirst().gateway();
            }
            if (colon > 0 && !address.isEmpty()) {
                hosts.append(address).append('\t').append(entry, 0, colon).append('\n');
            }
        }
        if (!hostNetwork) {
            hosts.append(joined.isEmpty() ? "127.0.1.1" : joined.getFirst().ipAddress()).append('\t').append(hostname).append('\n');
        }
        return hosts.toString();
    }

    static String resolvConf(boolean hostNetwork, Settings settings, List<ContainerNetworks.Connected> joined) throws IOException {
        List<String> hostLines = Files.isReadable(HOST_RESOLV) ? Files.readAllLines(HOST_RESOLV) : List.of();
        List<String> nameservers = new ArrayList<>(settings.dns());
        boolean custom = !settings.dns().isEmpty() || !settings.dnsSearch().isEmpty() || !settings.dnsOptions().isEmpty();
        boolean networkDns = !hostNetwork && !joined.isEmpty() && !joined.getFirst().dnsServers().isEmpty();
        if (!custom && !networkDns && (hostNetwork || joined.isEmpty())) {
            return hostLines.isEmpty() ? "" : String.join("\n", hostLines) + "\n";
        }
        if (nameservers.isEmpty()) {
            if (networkDns) {
                nameservers.addAll(joined.getFirst().dnsServers());
            } else {
                for (String line : hostLines) {
                    String[] words = line.strip().split("\\s+");
                    if (words.length >= 2 && words[0].equals("nameserver") && !words[1].startsWith("127.") && !words[1].equals("::1")) {
                        nameservers.add(words[1]);
                    }
                }
                if (nameservers.isEmpty() && !hostNetwork) {
                    nameservers.addAll(List.of("8.8.8.8", "8.8.4.4")); // Docker's fallback when the host has only loopback resolvers
                }
            }
        }
        StringBuilder resolv = new StringBuilder();
        for (String line : hostLines) {
            String trimmed = line.strip();
            if (settings.dnsSearch().isEmpty() && (trimmed.startsWith("search ") || trimmed.startsWith("domain "))) {
                resolv.append(trimmed).append('\n');
            }
            if (settings.dnsOptions().isEmpty() && trimmed.startsWith("options ")) {
                resolv.append(trimmed).append('\n');
            }
        }
        if (!settings.dnsSearch().isEmpty()) {
            resolv.append("search ").append(String.join(" ", settings.dnsSearch())).append('\n');
        }
        if (!settings.dnsOptions().isEmpty()) {
            resolv.append("options ").append(String.join(" ", settings.dnsOptions())).append('\n');
        }
        for (String server : nameservers) {
            resolv.append("nameserver ").append(server).append('\n');
        }
        return resolv.toString();
    }
}
