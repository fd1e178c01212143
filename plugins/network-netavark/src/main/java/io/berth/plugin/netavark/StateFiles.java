package io.berth.plugin.netavark;

import io.berth.text.json.Json;
import io.berth.spi.network.NetworkDefinition;
import io.berth.spi.network.NetworkException;
import io.berth.spi.network.NetworkException.Reason;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The driver's state under its data directory: {@code networks/<id>.json} (the completed definitions),
 * {@code attachments/<network id>-<container id>.json} (netavark's setup input, the address, what setup
 * answered), each written whole by an atomic rename, and {@code netavark/}, netavark's config directory.
 */
final class StateFiles {

    private final Path data;

    /** @param data the plugin's data directory */
    StateFiles(Path data) {
        this.data = data;
    }

    /** @return the plugin's data directory */
    Path data() {
        return data;
    }

    /** @return the completed network definitions in {@code networks/} */
    List<NetworkDefinition> networks() throws NetworkException {
        List<NetworkDefinition> found = new ArrayList<>();
        for (Map<String, Object> m : documents("networks")) {
            found.add(Records.definition(m));
        }
        return found;
    }

    /** @return the attachments in {@code attachments/}, pending ones (setup not finished) with a null attachment */
    List<StoredAttachment> attachments() throws NetworkException {
        List<StoredAttachment> found = new ArrayList<>();
        for (Map<String, Object> m : documents("attachments")) {
            Map<String, Object> a = Json.object(m, "attachment");
            found.add(new StoredAttachment(Json.text(m, "network_id"), Json.text(m, "container_id"),
                    Json.text(m, "netns"), Json.text(m, "ip"), Json.text(m, "interface_name"),
                    Json.object(m, "setup"), a.isEmpty() ? null : Records.attachment(a)));
        }
        return found;
    }

    /** The JSON objects of the {@code .json} files in a directory under the data directory, in name order. */
    private List<Map<String, Object>> documents(String directory) throws NetworkException {
        List<Map<String, Object>> found = new ArrayList<>();
        try {
            Files.createDirectories(data.resolve(directory));
            try (Stream<Path> files = Files.list(data.resolve(directory))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                    found.add(Records.parseObject(Files.readString(f)));
                }
            }
        } catch (IOException e) {
            throw unreadable(e);
        }
        return found;
    }

    private NetworkException unreadable(IOException e) {
        return new NetworkException(Reason.FAILED, "netavark: cannot read the driver's state under " + data + ": " + e.getMessage(), e);
    }

    void writeNetwork(NetworkDefinition network) throws NetworkException {
        writeAtomically(networkFile(network.id()), Json.write(Records.definition(network)));
    }

    void deleteNetwork(String networkId) throws NetworkException {
        delete(networkFile(networkId));
    }

    void writeAttachment(StoredAttachment s) throws NetworkException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("network_id", s.networkId());
        m.put("container_id", s.containerId());
        m.put("netns", s.netns());
        m.put("ip", s.ip());
        m.put("interface_name", s.ifname());
        m.put("setup", s.setup());
        m.put("attachment", s.attachment() == null ? null : Records.attachment(s.attachment()));
        writeAtomically(attachmentFile(s.networkId(), s.containerId()), Json.write(m));
    }

    void deleteAttachment(String networkId, String containerId) throws NetworkException {
        delete(attachmentFile(networkId, containerId));
    }

    /** netavark's {@code --config} directory (aardvark-dns' name lists), apart from Podman's. */
    Path configDirectory() throws NetworkException {
        Path dir = data.resolve("netavark");
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new NetworkException(Reason.FAILED, "netavark: cannot create its config directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private Path networkFile(String id) {
        return data.resolve("networks").resolve(id + ".json");
    }

    /** An attachment's file, also the owner named in the host's address leases. */
    Path attachmentFile(String networkId, String containerId) {
        return data.resolve("attachments").resolve(networkId + "-" + containerId + ".json");
    }

    private static void writeAtomically(Path target, String text) throws NetworkException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.createDirectories(target.getParent());
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new NetworkException(Reason.FAILED, "netavark: cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path file) throws NetworkException {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new NetworkException(Reason.FAILED, "netavark: cannot delete " + file + ": " + e.getMessage(), e);
        }
    }
}
