package io.berth.cli.auth;

import io.berth.text.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Docker's config.json: written as Docker writes it, other keys kept, read back for X-Registry-Auth. */
class DockerConfigTest {
    @TempDir
    Path dir;

    @Test
    void givenConfigWithOtherKeys_whenLoginStored_thenAuthIsBase64AndOtherKeysStayAndModeIs0600() throws Exception {
        Files.writeString(dir.resolve("config.json"), """
                {"auths":{"other:5000":{"auth":"eDp5"}},"psFormat":"table {{.ID}}","credHelpers":{"gcr.io":"gcloud"}}""");
        DockerConfig c = DockerConfig.load(dir);
        c.put(DockerConfig.key("127.0.0.1:5000"), "alice", "s3cret:x", "");
        c.save();
        Path file = dir.resolve("config.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Object saved = Json.parse(Files.readAllBytes(file));
        assertEquals("table {{.ID}}", Json.text(saved, "psFormat"));
        assertEquals("gcloud", Json.text(saved, "credHelpers", "gcr.io"));
        assertEquals("eDp5", Json.text(saved, "auths", "other:5000", "auth"));
        assertEquals(Base64.getEncoder().encodeToString("alice:s3cret:x".getBytes(StandardCharsets.UTF_8)),
                Json.text(saved, "auths", "127.0.0.1:5000", "auth"));
        assertTrue(Files.readString(file).startsWith("{\n\t\"auths\": {\n"), "tab-indented as Docker writes it");

        DockerConfig.Auth auth = DockerConfig.load(dir).find("127.0.0.1:5000");
        assertEquals("alice", auth.username());
        assertEquals("s3cret:x", auth.password(), "only the first colon separates user and password");
        Object header = Json.parse(Base64.getUrlDecoder().decode(auth.header()));
        assertEquals(Map.of("username", "alice", "password", "s3cret:x", "serveraddress", "127.0.0.1:5000"), header);
    }

    @Test
    void givenHubLogin_thenStoredUnderDockersHubKeyAndFoundForDockerIo() throws Exception {
        DockerConfig c = DockerConfig.load(dir);
        c.put(DockerConfig.key(null), "bob", "pw", "");
        c.save();
        assertEquals("https://index.docker.io/v1/", DockerConfig.key("docker.io"));
        assertEquals("bob", DockerConfig.load(dir).find("docker.io").username());
        assertNull(DockerConfig.load(dir).find("quay.io"));
    }

    @Test
    void givenEntryWithSchemeAndIdentityToken_thenFoundByHostAndTokenSent() throws Exception {
        Files.writeString(dir.resolve("config.json"), """
                {"auths":{"https://reg.example:443/v2/":{"auth":"dTo=","identitytoken":"tok"}}}""");
        DockerConfig.Auth auth = DockerConfig.load(dir).find("reg.example:443");
        assertEquals("tok", auth.identityToken());
        Object header = Json.parse(Base64.getUrlDecoder().decode(auth.header()));
        assertEquals("tok", Json.text(header, "identitytoken"));
    }

    @Test
    void givenLogins_whenLoggedOut_thenOnlyThatServersEntriesGo() throws Exception {
        Files.writeString(dir.resolve("config.json"), """
                {"auths":{"reg:5000":{"auth":"eDp5"},"https://reg:5000":{"auth":"eDp5"},"keep:1":{"auth":"eDp5"}}}""");
        DockerConfig c = DockerConfig.load(dir);
        assertEquals(List.of("reg:5000", "https://reg:5000"), c.remove("reg:5000"));
        c.save();
        assertEquals(List.of("keep:1"), List.copyOf(Json.object(Json.parse(Files.readAllBytes(dir.resolve("config.json"))), "auths").keySet()));
        assertEquals(List.of(), DockerConfig.load(dir).remove("reg:5000"));
    }

    @Test
    void givenNoDirectory_whenSaved_thenCreatedPrivate() throws Exception {
        Path d = dir.resolve("new/.docker");
        DockerConfig c = DockerConfig.load(d);
        c.put("h:1", "u", "p", null);
        c.save();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)));
    }
}
