package io.berth.cli.auth;

import io.berth.text.json.Json;

import io.berth.text.reference.ImageName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's client configuration file, {@code $DOCKER_CONFIG/config.json} (else {@code ~/.docker/config.json}),
 * read and written the way Docker's CLI does so that {@code docker} and {@code berth} share logins:
 * {@code {"auths": {"https://index.docker.io/v1/": {"auth": base64("user:password")}, "host:port": {…}}}},
 * optionally with {@code identitytoken}. Every other key of the file is kept as it was; the file is
 * replaced atomically and has mode 0600, its directory 0700 when created.
 *
 * <p>Credential helpers ({@code credsStore}, {@code credHelpers}) are not run: berth reads only the file.
 */
public final class DockerConfig {
    /** The key Docker uses for Docker Hub. */
    public static final String HUB_KEY = "https://index.docker.io/v1/";

    private final Path file;
    private final Map<String, Object> root;

    private DockerConfig(Path file, Map<String, Object> root) {
        this.file = file;
        this.root = root;
    }

    /** Credentials found for a registry. */
    public record Auth(String username, String password, String identityToken, String serverAddress) {
        /**
         * The {@code X-Registry-Auth} header value: base64url of {@code {"username","password","serveraddress"}}
         * or {@code {"identitytoken","serveraddress"}}, as Docker's CLI sends it.
         */
        public String header() {
            Map<String, Object> m = new LinkedHashMap<>();
            if (identityToken != null && !identityToken.isEmpty()) {
                m.put("identitytoken", identityToken);
            } else {
                m.put("username", username);
                m.put("password", password);
            }
            m.put("serveraddress", serverAddress);
            return Base64.getUrlEncoder().encodeToString(Json.write(m).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The config directory: {@code $DOCKER_CONFIG}, else {@code $HOME/.docker}. */
    public static Path directory(Map<String, String> env) {
        String dir = env.get("DOCKER_CONFIG");
        if (dir != null && !dir.isEmpty()) {
            return Path.of(dir);
        }
        String home = env.get("HOME");
        return Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home"), ".docker");
    }

    /** Reads {@code config.json} from {@code dir}; a missing file is an empty configuration. */
    @SuppressWarnings("unchecked")
    public static DockerConfig load(Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new DockerConfig(file, new LinkedHashMap<>());
        }
        if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
            return new DockerConfig(file, new LinkedHashMap<>());
        }
        Object v;
        try {
            v = Json.parse(bytes);
        } catch (IOException e) {
            throw new IOException("loading config file " + file + ": " + e.getMessage(), e);
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new IOException("loading config file " + file + ": not a JSON object");
        }
        return new DockerConfig(file, (Map<String, Object>) m);
    }

    /** The file this configuration lives in. */
    public Path file() {
        return file;
    }

    /** The key under {@code auths} for a server as {@code login}/{@code logout} name it. */
    public static String key(String server) {
        if (server == null || server.isEmpty()) {
            return HUB_KEY;
        }
        String host = hostname(server);
        if (host.equals("docker.io") || host.equals("index.docker.io") || host.equals("registry-1.docker.io")) {
            return HUB_KEY;
        }
        return host;
    }

    /** Docker's {@code ConvertToHostname}: without scheme and path. */
    public static String hostname(String server) {
        String s = server;
        if (s.startsWith("http://")) {
            s = s.substring(7);
        } else if (s.startsWith("https://")) {
            s = s.substring(8);
        }
        int slash = s.indexOf('/');
        return slash >= 0 ? s.substring(0, slash) : s;
    }

    /**
     * Credentials for a registry host ({@code docker.io} for Docker Hub), or {@code null}: the entry under
     * its exact key, else the first whose key names the same host (Docker accepts {@code https://host/v2/}).
     */
    public Auth find(String registry) throws IOException {
        String key = registry.equals(ImageName.HUB) ? HUB_KEY : registry;
        Map<String, Object> auths = Json.object(root, "auths");
        Object entry = auths.get(key);
        if (entry == null) {
            for (Map.Entry<String, Object> e : auths.entrySet()) {
                if (key(e.getKey()).equals(key)) {
                    entry = e.getValue();
                    break;
                }
            }
        }
        if (!(entry instanceof Map<?, ?>)) {
            return null;
        }
        String token = Json.text(entry, "identitytoken");
        String user = Json.text(entry, "username");
        String password = Json.text(entry, "password");
        String encoded = Json.text(entry, "auth");
        if (!encoded.isEmpty()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(encoded.strip()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": the auth of " + key + " is not base64");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw new IOException(file + ": the auth of " + key + " is not base64 of user:password");
            }
            user = decoded.substring(0, colon);
            password = decoded.substring(colon + 1);
        }
        if (user.isEmpty() && token.isEmpty()) {
            return null;
        }
        return new Auth(user, password, token, key);
    }

    /** Stores a login as Docker does: {@code auth} = base64(user:password), or with an identity token. */
    @SuppressWarnings("unchecked")
    public void put(String key, String username, String password, String identityToken) {
        Object auths = root.get("auths");
        if (!(auths instanceof Map<?, ?>)) {
            auths = new LinkedHashMap<String, Object>();
            root.put("auths", auths);
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        boolean token = identityToken != null && !identityToken.isEmpty();
        entry.put("auth", Base64.getEncoder().encodeToString(
                (username + ":" + (token ? "" : password)).getBytes(StandardCharsets.UTF_8)));
        if (token) {
            entry.put("identitytoken", identityToken);
        }
        ((Map<String, Object>) auths).put(key, entry);
    }

    /**
     * Removes the entries of a server: its key, and for a registry other than Docker Hub also the
     * {@code http://} and {@code https://} forms, as Docker's logout does. Returns the keys removed.
     */
    public List<String> remove(String key) {
        List<String> removed = new ArrayList<>();
        Map<String, Object> auths = Json.object(root, "auths");
        List<String> candidates = key.equals(HUB_KEY) ? List.of(key) : List.of(key, "http://" + key, "https://" + key);
        for (String k : candidates) {
            if (auths.containsKey(k)) {
                auths.remove(k);
                removed.add(k);
            }
        }
        return removed;
    }

    /** Writes the file: a temporary file with mode 0600 in the same directory, then an atomic rename. */
    public void save() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path tmp = Files.createTempFile(dir, "config.json", ".tmp"); // created 0600
        try {
            Files.writeString(tmp, Json.writeIndented(root, "\t") + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
