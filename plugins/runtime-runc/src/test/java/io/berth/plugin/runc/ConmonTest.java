package io.berth.plugin.runc;

import io.berth.spi.runtime.ContainerSpec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConmonTest {

    @Test
    void givenASpec_whenTheCommandLineIsBuilt_thenItIsConmonsRealOptionsWithBerthsRuncRoot() {
        Layout layout = Layout.under(Path.of("/var/lib/berth/plugins/runtime-runc"));
        Runc runc = new Runc(Path.of("/usr/sbin/runc"), layout.runcRoot());
        Conmon conmon = new Conmon(Path.of("/usr/bin/conmon"), runc, layout, "warning", null);
        ContainerSpec spec = new ContainerSpec("c1", Path.of("/b/c1"), Path.of("/b/c1/rootfs"), "{}".getBytes(StandardCharsets.UTF_8),
                Path.of("/logs/c1.log"), Path.of("/exits"), true, true);
        String d = "/var/lib/berth/plugins/runtime-runc";
        assertEquals(List.of("/usr/bin/conmon", "--api-version", "1", "-c", "c1", "-u", "c1", "-n", "c1",
                "-r", "/usr/sbin/runc", "-b", "/b/c1", "-p", "/b/c1/pidfile", "--exit-dir", "/exits",
                "-l", "k8s-file:/logs/c1.log", "--log-level", "warning", "--socket-dir-path", d + "/sockets",
                "--conmon-pidfile", d + "/containers/c1/conmon.pid", "--persist-dir", d + "/containers/c1",
                "--runtime-arg", "--root=" + d + "/runc", "--runtime-arg", "--log-format=json",
                "--runtime-arg", "--log=" + d + "/containers/c1/runc.log", "--no-sync-log", "-t", "-i"), conmon.createCommand(spec));
    }
}
