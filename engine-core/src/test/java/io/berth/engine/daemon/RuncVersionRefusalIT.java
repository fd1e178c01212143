package io.berth.engine.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The daemon refuses to start with a runc open to CVE-2024-21626, saying so in one line. This
 * host's runc is Debian 12's patched build, which must be accepted; an old runc cannot be installed
 * here, so the refusal is shown with a stand-in: a script that answers {@code --version} as runc
 * 1.1.11 does, named by the runtime-runc plugin's {@code runc} option (the fault the real program
 * cannot be made to produce on this host).
 */
class RuncVersionRefusalIT {

    @Test
    void givenARuncOlderThan1_1_12ThenTheDaemonRefusesToStartNamingTheVersion() throws Exception {
        Path root = Files.createTempDirectory("berth-runc-refusal-it");
        try {
            Path plugins = root.resolve("plugin-jars");
            TestDaemons.copyBuiltPlugins(plugins);
            Path oldRunc = root.resolve("old-runc");
            Files.writeString(oldRunc, "#!/bin/sh\necho 'runc version 1.1.11'\necho 'commit: v1.1.11-0-g4bccb38c'\necho 'spec: 1.0.2-dev'\n");
            Files.setPosixFilePermissions(oldRunc, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path config = root.resolve("daemon.json");
            Files.writeString(config, "{\"plugins\": {\"runtime-runc\": {\"runc\": \"" + oldRunc + "\"}}}");
            Path log = root.resolve("daemon.out");
            Process daemon = TestDaemons.startChildDaemon(root.resolve("data"), plugins, log, List.of("--config-file", config.toString()));
            assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon ends by itself");
            assertEquals(1, daemon.exitValue());
            List<String> berthLines = Files.readAllLines(log).stream().filter(l -> l.startsWith("berth daemon:")).toList();
            assertEquals(List.of("berth daemon: refusing to start: runc 1.1.11 (commit v1.1.11-0-g4bccb38c) is older than 1.1.12"
                    + " and open to CVE-2024-21626 (a container escape): install runc 1.1.12 or later (or Debian 12's"
                    + " 1.1.5+ds1-1+deb12u1), or point the runtime-runc option \"runc\" at one"), berthLines);
            assertFalse(Files.exists(root.resolve("data").resolve("berth.pid")), "the pid file is released");
            assertFalse(Files.exists(root.resolve("data").resolve("berth.sock")), "nothing listens");
        } finally {
            TestDaemons.deleteTree(root);
        }
    }

    @Test
    void givenThisHostsRuncThenTheDaemonStarts() throws Exception {
        Path root = Files.createTempDirectory("berth-runc-accepted-it");
        try {
            Path plugins = root.resolve("plugin-jars");
            TestDaemons.copyBuiltPlugins(plugins);
            Daemon daemon = new Daemon(TestDaemons.options(root, plugins));
            daemon.start();
            try {
                assertEquals(200, UnixHttp.get(root.resolve("berth.sock"), "/_ping").status());
            } finally {
                daemon.stop("test finished");
            }
        } finally {
            TestDaemons.deleteTree(root);
        }
    }
}
