package io.berth.engine.network;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** What the log says about networks and their members. Maps are sorted so equal states are equal JSON. */
public final class NetworkState {
    /** Network id → network. */
    public TreeMap<String, NetworkRecord> networks = new TreeMap<>();
    /** Name → network id. */
    public TreeMap<String, String> names = new TreeMap<>();

    /** One network as its events describe it. */
    public static final class NetworkRecord {
        public String id;
        public String name;
        public String driver;
        /** The network driver plugin that made it. */
        public String plugin;
        public List<SubnetRecord> subnets = new ArrayList<>();
        public String networkInterface;
        public boolean internal;
        public boolean dnsEnabled;
        public TreeMap<String, String> labels = new TreeMap<>();
        public TreeMap<String, String> options = new TreeMap<>();
        public String created;
        /** Container id → its endpoint on this network. */
        public TreeMap<String, EndpointRecord> endpoints = new TreeMap<>();
        /** Container id → what {@code network connect}/{@code disconnect} recorded for its starts. */
        public TreeMap<String, MembershipRecord> memberships = new TreeMap<>();
    }

    /** A recorded {@code network connect} (member) or {@code disconnect} (not a member, whatever its create said). */
    public static final class MembershipRecord {
        public boolean member;
        public List<String> aliases = new ArrayList<>();
        public String ipv4Address = "";
    }

    /** An address range and its gateway. */
    public static final class SubnetRecord {
        public String subnet;
        public String gateway;
    }

    /** One container's membership. */
    public static final class EndpointRecord {
        public String containerId;
        public String interfaceName;
        public String ipAddress;
        public int prefixLength;
        public String gateway;
        public String macAddress;
        public List<String> aliases = new ArrayList<>();
        public List<String> dnsServers = new ArrayList<>();
        public List<PortRecord> ports = new ArrayList<>();
    }

    /** A published port, as {@link io.berth.spi.network.PortMapping}. */
    public static final class PortRecord {
        public String hostIp;
        public int hostPort;
        public int containerPort;
        public String protocol;
        public int range;
    }
}
