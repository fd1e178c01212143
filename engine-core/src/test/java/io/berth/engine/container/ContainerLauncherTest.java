package io.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerLauncherTest {
    @TempDir
    Path rootfs;
    @TempDir
    Path host;

    @Test
    void givenAnImageWithoutMountPointsThenTheLaunchMakesThemAndSaysWhichParentsFirst() throws Exception {
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/hostname"), "image's\n");
        Path file = Files.writeString(host.resolve("tini"), "#!");
        List<RuntimeSpecInput.MountSpec> mounts = List.of(
                new RuntimeSpecInput.MountSpec("/etc/hostname", "bind", host.resolve("hostname").toString(), List.of("rbind")),
                new RuntimeSpecInput.MountSpec("/etc/hosts", "bind", host.resolve("hosts").toString(), List.of("rbind")),
                new RuntimeSpecInput.MountSpec("/var/cache/x", "tmpfs", "tmpfs", List.of()),
                new RuntimeSpecInput.MountSpec("/sbin/docker-init", "bind", file.toString(), List.of("rbind", "ro")));
        List<String> created = ContainerLauncher.createMountPoints(rootfs, mounts);
        assertEquals(List.of("/proc", "/dev", "/sys", "/etc/hosts", "/var", "/var/cache", "/var/cache/x", "/sbin", "/sbin/docker-init"),
                created, "the image's own /etc and /etc/hostname are not berth's");
        assertTrue(Files.isRegularFile(rootfs.resolve("etc/hosts")) && Files.size(rootfs.resolve("etc/hosts")) == 0);
        assertTrue(Files.isRegularFile(rootfs.resolve("sbin/docker-init")));
        assertTrue(Files.isDirectory(rootfs.resolve("var/cache/x")));
        assertEquals("image's\n", Files.readString(rootfs.resolve("etc/hostname")));
    }

    @Test
    void givenALinkInTheImageThenMountPointsAreMadeInsideTheRoot() throws Exception {
        Files.createSymbolicLink(rootfs.resolve("dev"), host);
        try {
            ContainerLauncher.createMountPoints(rootfs, List.of(new RuntimeSpecInput.MountSpec("/dev/shm2", "tmpfs", "tmpfs", List.of())));
        } catch (java.io.IOException refused) {
            // a link the root cannot resolve may make the launch fail; it must never reach the host
        }
        assertTrue(Files.notExists(host.resolve("shm2")), "nothing is made on the host through the image's link");
    }

    @Test
    void givenAWorkingDirectoryInProcOrRelativeThenTheLaunchIsRefusedWithOneLine() {
        ContainerLauncher.LaunchException proc = assertThrows(ContainerLauncher.LaunchException.class,
                () -> ContainerLauncher.workingDirectory(rootfs, "/proc/self"));
        assertEquals("the working directory '/proc/self' is refused: it lies in /proc or /sys", proc.getMessage());
        assertEquals(128, proc.exitCode());
        assertThrows(ContainerLauncher.LaunchException.class, () -> ContainerLauncher.workingDirectory(rootfs, "rel"));
    }

    @Test
    void givenAMissingWorkingDirectoryThenItIsMade() throws Exception {
        assertEquals("/srv/app", ContainerLauncher.workingDirectory(rootfs, "/srv/app"));
        assertTrue(Files.isDirectory(rootfs.resolve("srv/app")));
        assertEquals("/", ContainerLauncher.workingDirectory(rootfs, ""));
    }
}
