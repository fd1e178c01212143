package io.berth.engine.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildFilesIgnoreTest {
    @TempDir
    Path context;

    private List<String> excluded(String dockerignore, String dockerfile) throws Exception {
        Files.writeString(context.resolve(".dockerignore"), dockerignore);
        return BuildFilesIgnore.excluded(context, dockerfile);
    }

    @Test
    void namesWildcardsExceptionsAndParentDirectories() throws Exception {
        assertEquals(List.of(".dockerignore", "Dockerfile"), excluded("Dockerfile\n.dockerignore\n", "Dockerfile"));
        assertEquals(List.of("Dockerfile"), excluded("# comment\nDocker*\n", "Dockerfile"));
        assertEquals(List.of(), excluded("*\n!Dockerfile\n!.dockerignore\n", "Dockerfile"));
        assertEquals(List.of("build/Dockerfile"), excluded("build\n", "build/Dockerfile"));
        assertEquals(List.of("build/Dockerfile"), excluded("**/Dockerfile\n", "./build/Dockerfile"));
        assertEquals(List.of(".dockerignore"), excluded("/.docker?gnore\n", "Dockerfile"));
        assertEquals(List.of(), excluded("*.md\n", "Dockerfile"));
    }

    @Test
    void noDockerignoreExcludesNothing() throws Exception {
        assertEquals(List.of(), BuildFilesIgnore.excluded(context, "Dockerfile"));
    }
}
