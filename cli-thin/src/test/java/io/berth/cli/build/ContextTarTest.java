package io.berth.cli.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.cli.build.DockerIgnore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build context tar, read back by GNU tar (an independent reader). */
class ContextTarTest {
    @TempDir
    Path dir;

    private String tar(String... args) throws Exception {
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void givenADockerignoreThenExcludedFilesStayHomeButTheDockerfileAndDockerignoreAlwaysGo() throws Exception {
        Path context = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\n");
        Files.writeString(context.resolve(".dockerignore"), "Dockerfile\n.dockerignore\n*.log\nbuild/\n!build/keep.txt\n");
        Files.writeString(context.resolve("app.txt"), "app\n");
        Files.writeString(context.resolve("debug.log"), "noise\n");
        Files.createDirectories(context.resolve("build/deep"));
        Files.writeString(context.resolve("build/keep.txt"), "kept\n");
        Files.writeString(context.resolve("build/deep/drop.txt"), "dropped\n");
        String longName = "d".repeat(120) + "/" + "f".repeat(110) + ".txt";
        Files.createDirectories(context.resolve(longName).getParent());
        Files.writeString(context.resolve(longName), "long\n");
        Files.createSymbolicLink(context.resolve("link"), Path.of("app.txt"));
        Files.setAttribute(context.resolve("app.txt"), "unix:mode", 0640);

        Path archive = dir.resolve("context.tar");
        try (OutputStream out = Files.newOutputStream(archive)) {
            ContextTar writer = new ContextTar(out);
            writer.addDirectory(context, DockerIgnore.parse(Files.readString(context.resolve(".dockerignore"))),
                    List.of(".dockerignore", "Dockerfile"));
            writer.finish();
        }
        List<String> names = tar("tar", "-tf", archive.toString()).lines().toList();
        assertEquals(List.of(".dockerignore", "Dockerfile", "app.txt", "build/keep.txt", "d".repeat(120) + "/",
                longName, "link"), names);
        String verbose = tar("tar", "-tvf", archive.toString());
        assertTrue(verbose.contains("-rw-r----- root/root") && verbose.contains("app.txt"), verbose);
        assertTrue(verbose.contains("link -> app.txt"), verbose);
        Path out = Files.createDirectories(dir.resolve("out"));
        tar("tar", "-xf", archive.toString(), "-C", out.toString());
        assertEquals("long\n", Files.readString(out.resolve(longName)));
        assertEquals("kept\n", Files.readString(out.resolve("build/keep.txt")));
    }

    @Test
    void hardLinksFifosAndDeviceNodesGoAsDockersCliSendsThem() throws Exception {
        Path context = Files.createDirectories(dir.resolve("special"));
        Files.writeString(context.resolve("a"), "shared\n");
        Files.createLink(context.resolve("b"), context.resolve("a"));
        tar("mkfifo", context.resolve("pipe").toString());
        tar("mknod", context.resolve("null").toString(), "c", "1", "3");
        Path archive = dir.resolve("special.tar");
        try (OutputStream out = Files.newOutputStream(archive)) {
            ContextTar writer = new ContextTar(out);
            writer.addDirectory(context, DockerIgnore.none(), List.of());
            writer.finish();
        }
        String verbose = tar("tar", "-tvf", archive.toString());
        assertTrue(verbose.contains("b link to a"), verbose);
        assertTrue(verbose.lines().anyMatch(l -> l.startsWith("p") && l.endsWith(" pipe")), verbose);
        assertTrue(verbose.lines().anyMatch(l -> l.startsWith("c") && l.contains("1,3") && l.endsWith(" null")), verbose);
    }

    @Test
    void aPaxRecordCountsItsOwnLength() throws IOException {
        String record = ContextTar.record("path", "x".repeat(93));
        assertEquals(record.getBytes(StandardCharsets.UTF_8).length, Integer.parseInt(record.substring(0, record.indexOf(' '))));
        String shortRecord = ContextTar.record("path", "ab");
        assertEquals(shortRecord.length(), Integer.parseInt(shortRecord.substring(0, shortRecord.indexOf(' '))));
    }
}
