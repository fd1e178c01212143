package io.berth.cli.build;

import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.cli.api.BerthApi;
import io.berth.cli.files.HostTar;
import io.berth.cli.http.HttpResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code build --output}: the files of the built image (its last stage), written where the user
 * asked, as BuildKit's {@code local} and {@code tar} exporters write them:
 * <ul>
 *   <li>{@code type=local,dest=DIR} (or {@code -o DIR}): the files under {@code DIR};</li>
 *   <li>{@code type=tar,dest=FILE} (or {@code -o -} for standard output): one tar of them.</li>
 * </ul>
 * The files come from a container created (never started) on the image and read through
 * {@code GET /containers/{id}/archive?path=/}, then removed. Unlike BuildKit, the image is also
 * kept (and tagged) as with any build.
 */
public final class BuildOutputs {
    /** One parsed {@code --output}. */
    public record Output(String type, String dest) {
    }

    private BuildOutputs() {
    }

    /** Parses {@code type=local,dest=DIR}, {@code type=tar,dest=FILE}, {@code DIR} or {@code -}. */
    public static Output parse(String spec) {
        if (spec.equals("-")) {
            return new Output("tar", "-");
        }
        if (!spec.contains("=")) {
            return new Output("local", spec);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : spec.split(",")) {
            int eq = field.indexOf('=');
            if (eq < 0) {
                throw new CliException(ExitCodes.FAILED, "invalid --output " + spec + ": field \"" + field + "\" is not key=value");
            }
            fields.put(field.substring(0, eq).strip(), field.substring(eq + 1).strip());
        }
        String type = fields.getOrDefault("type", "local");
        String dest = fields.get("dest");
        if (!type.equals("local") && !type.equals("tar")) {
            throw new CliException(ExitCodes.FAILED, "invalid --output " + spec + ": type " + type
                    + " is not supported (local or tar; the image itself is always kept)");
        }
        if (dest == null || dest.isEmpty()) {
            throw new CliException(ExitCodes.FAILED, "invalid --output " + spec + ": it needs dest=" + (type.equals("tar") ? "FILE" : "DIR"));
        }
        if (type.equals("local") && dest.equals("-")) {
            throw new CliException(ExitCodes.FAILED, "invalid --output " + spec + ": type=local needs a directory, not -");
        }
        return new Output(type, dest);
    }

    /** Writes the image's files to the output. */
    public static void export(BerthApi api, String imageId, Output output, OutputStream stdout) throws IOException {
        Map<String, Object> create = new LinkedHashMap<>();
        create.put("Image", imageId);
        create.put("Entrypoint", List.of("/nonexistent-berth-output"));
        create.put("HostConfig", Map.of("NetworkMode", "none"));
        Object created = api.post("/containers/create", create);
        String id = String.valueOf(((Map<?, ?>) created).get("Id"));
        Path scratch = Files.createTempDirectory("berth-build-output");
        try {
            Path archive = scratch.resolve("rootfs.tar");
            try (HttpResponse r = api.open("GET", "/containers/" + id + "/archive?path=" + BerthApi.query("/"), null);
                 InputStream in = r.body()) {
                Files.copy(in, archive);
            }
            HostTar.checkMembers(archive);
            boolean root = "0".equals(runTar(List.of("id", "-u"), null).strip());
            if (output.type().equals("local")) {
                Path dest = Path.of(output.dest());
                Files.createDirectories(dest);
                List<String> cmd = new ArrayList<>(List.of("tar", "-x", "-f", archive.toString(), "-C", dest.toString(),
                        "--strip-components=1", "--preserve-permissions"));
                cmd.add(root ? "--same-owner" : "--no-same-owner");
                runTar(cmd, null);
                return;
            }
            Path tree = scratch.resolve("tree");
            Files.createDirectories(tree);
            List<String> extract = new ArrayList<>(List.of("tar", "-x", "-f", archive.toString(), "-C", tree.toString(),
                    "--strip-components=1", "--preserve-permissions"));
            extract.add(root ? "--same-owner" : "--no-same-owner");
            runTar(extract, null);
            List<String> names;
            try (Stream<Path> children = Files.list(tree)) {
                names = children.map(p -> p.getFileName().toString()).sorted().toList();
            }
            List<String> pack = new ArrayList<>(List.of("tar", "-c", "-f", "-", "-C", tree.toString(), "--numeric-owner",
                    "--sort=name", "--"));
            pack.addAll(names);
            if (output.dest().equals("-")) {
                runTar(pack, stdout);
            } else {
                try (OutputStream file = Files.newOutputStream(Path.of(output.dest()))) {
                    runTar(pack, file);
                }
            }
        } finally {
            try {
                api.delete("/containers/" + id + "?force=1&v=1");
            } finally {
                deleteTree(scratch);
            }
        }
    }

    /** Runs a command; its standard output goes to {@code out}, or is returned when {@code out} is null. */
    private static String runTar(List<String> command, OutputStream out) throws IOException {
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String text = "";
        try (InputStream stdout = p.getInputStream()) {
            if (out == null) {
                text = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
            } else {
                stdout.transferTo(out);
                out.flush();
            }
        }
        String errors = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            int code = p.waitFor();
            if (code != 0) {
                throw new CliException(ExitCodes.FAILED, "--output: " + command.getFirst() + " failed (exit " + code + "): " + errors.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing the build's output");
        }
        return text;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
