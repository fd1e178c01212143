package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.spi.tck.fixtures.Tar;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountPointFilterTest {
    @TempDir
    Path dir;

    /**
     * Mount points made as the launch makes them (a trailing slash marks a directory, 0755; files 0644;
     * root's), with the image's first directory above each noted as 0755 root's.
     */
    private static Map<String, MountPointFilter.Made> made(String... created) {
        Map<String, MountPointFilter.Made> made = new HashMap<>();
        for (String path : created) {
            boolean directory = path.endsWith("/");
            String name = path.substring(1, directory ? path.length() - 1 : path.length());
            made.put(name, new MountPointFilter.Made(true, directory ? 0755 : 0644, 0, 0));
            int slash = name.indexOf('/');
            if (slash > 0) {
                made.putIfAbsent(name.substring(0, slash), new MountPointFilter.Made(false, 0755, 0, 0));
            }
        }
        return made;
    }

    private List<String> filtered(Tar tar, Map<String, MountPointFilter.Made> created, int[] kept) throws Exception {
        Path in = dir.resolve("layer.tar");
        Files.write(in, tar.toBytes());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        kept[0] = MountPointFilter.copyWithout(in, created, out);
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream read = new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            TarArchiveEntry entry;
            while ((entry = read.getNextEntry()) != null) {
                names.add(entry.getName() + (entry.isFile() ? "=" + new String(read.readAllBytes(), StandardCharsets.UTF_8) : ""));
            }
        }
        return names;
    }

    @Test
    void givenARunThatChangedAFileInEtcThenOnlyTheMountPointsBerthMadeAreLeftOut() throws Exception {
        Tar tar = Tar.create().directory("dev").directory("etc").file("etc/group", 0644, "g\n".getBytes(StandardCharsets.UTF_8))
                .file("etc/hosts", 0644, new byte[0]).file("etc/resolv.conf", 0644, new byte[0]).directory("made")
                .directory("proc").directory("sys");
        int[] kept = new int[1];
        List<String> names = filtered(tar, made("/proc/", "/dev/", "/sys/", "/etc/hosts", "/etc/resolv.conf"), kept);
        assertEquals(List.of("etc/", "etc/group=g\n", "made/"), names);
        assertEquals(3, kept[0]);
    }

    @Test
    void givenARunThatChangedNothingThenNothingIsKeptNotEvenTheCopiedUpEtc() throws Exception {
        Tar tar = Tar.create().directory("dev").directory("etc").file("etc/hosts", 0644, new byte[0])
                .file("etc/hostname", 0644, new byte[0]).directory("proc").directory("sys");
        int[] kept = new int[1];
        List<String> names = filtered(tar, made("/proc/", "/dev/", "/sys/", "/etc/hosts", "/etc/hostname"), kept);
        assertEquals(List.of(), names);
        assertEquals(0, kept[0]);
    }

    @Test
    void givenAMountPointTheCommandFilledThenItStays() throws Exception {
        Tar tar = Tar.create().directory("etc").file("etc/hosts", 0644, "written by the command\n".getBytes(StandardCharsets.UTF_8))
                .directory("proc").directory("srv").directory("srv/cache").file("srv/cache/x", 0644, "x".getBytes(StandardCharsets.UTF_8));
        int[] kept = new int[1];
        Map<String, MountPointFilter.Made> made = made("/etc/hosts", "/proc/", "/srv/", "/srv/cache/");
        made.put("etc", new MountPointFilter.Made(true, 0755, 0, 0));
        List<String> names = filtered(tar, made, kept);
        assertEquals(List.of("etc/", "etc/hosts=written by the command\n", "srv/", "srv/cache/", "srv/cache/x=x"), names);
    }

    @Test
    void givenADirectoryAboveAMountPointThatTheCommandChmodedThenItStays() throws Exception {
        Tar tar = Tar.create().directory("etc").file("etc/hosts", 0644, new byte[0]).directory("proc");
        Map<String, MountPointFilter.Made> made = made("/etc/hosts", "/proc/");
        made.put("etc", new MountPointFilter.Made(false, 0700, 0, 0)); // the image's /etc was 0700: the tar's 0755 is the command's
        int[] kept = new int[1];
        assertEquals(List.of("etc/"), filtered(tar, made, kept));
    }
}
