package io.berth.cli.commands;

import io.berth.cli.exit.ExitCodes;
import io.berth.cli.api.BerthApi;
import io.berth.text.json.Json;
import io.berth.cli.format.JsonMessages;
import io.berth.text.format.Table;
import io.berth.text.format.Units;
import io.berth.cli.http.HttpResponse;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The build record: {@code berth build ls} (every build), {@code build inspect ID} (inputs, every step
 * with its cache decision and reason, outputs, durations, who ran it), {@code build logs ID} (the output
 * as streamed) and {@code build replay ID} (rebuild from the recorded inputs without cache and compare
 * each layer with the record; exit 1 when one differs). ID is a build id, a prefix, or the image id.
 */
public final class BuildRecordCommand extends BaseCommand {
    private final String member;
    private final PositionalParamSpec ids;
    private OptionSpec format;
    private OptionSpec quiet;

    /** @param member {@code ls}, {@code inspect}, {@code logs} or {@code replay} */
    public BuildRecordCommand(CommandContext root, String member) {
        super(root, member, switch (member) {
            case "ls" -> "List builds";
            case "inspect" -> "Show a build's inputs, steps, cache decisions and outputs";
            case "logs" -> "Show a build's output";
            default -> "Rebuild a recorded build without cache and compare every layer with the record";
        });
        this.member = member;
        switch (member) {
            case "ls" -> {
                synopsis("[OPTIONS]");
                quiet = flag("Only display build IDs", "-q", "--quiet");
                format = option("table|json", "Print as a table (default) or one JSON object per build", "--format");
            }
            case "inspect" -> {
                synopsis("[OPTIONS] BUILD");
                format = option("text|json", "Print as text (default) or the record as one line of JSON", "--format");
            }
            default -> synopsis("BUILD");
        }
        ids = arguments("BUILD");
    }

    /** {@code Error response from daemon: …} exits 1, as Docker's CLI does for a build. */
    @Override
    public int daemonErrorExitCode() {
        return ExitCodes.FAILED;
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = root.out();
        return switch (member) {
            case "ls" -> {
                requireArgs(ids, 0, 0);
                boolean json = tableOrJson(format);
                List<Object> builds = new java.util.ArrayList<>(Json.list(root.api().getJson("/berth/builds")));
                // newest first, as docker ps and docker images list
                builds.sort(java.util.Comparator.comparing((Object b) -> Json.text(b, "startedAt"), java.util.Comparator.comparing(Instant::parse)).reversed());
                if (isSet(quiet)) {
                    builds.forEach(b -> out.println(Json.text(b, "id").substring(0, 12)));
                    yield ExitCodes.OK;
                }
                Table table = new Table("BUILD ID", "STATUS", "IMAGE", "TAGS", "STARTED", "DURATION", "USER");
                long now = System.currentTimeMillis() / 1000;
                for (Object b : builds) {
                    String image = Json.text(b, "imageId");
                    List<String> row = List.of(Json.text(b, "id").substring(0, 12),
                            Json.text(b, "status") + (Json.text(b, "replayOf").isEmpty() ? "" : " (replay)"),
                            image.isEmpty() ? "<none>" : Units.shortId(image), String.join(",", familiar(Json.list(b, "tags"))),
                            Units.ago(Instant.parse(Json.text(b, "startedAt")).getEpochSecond(), now),
                            millis(number(Json.at(b, "durationMillis"))), Json.text(b, "user"));
                    if (json) {
                        out.println(jsonLine(row, Json.text(b, "startedAt")));
                    } else {
                        table.row(row.toArray(String[]::new));
                    }
                }
                if (!json) {
                    table.print(out);
                }
                yield ExitCodes.OK;
            }
            case "inspect" -> {
                String id = requireArgs(ids, 1, 1).getFirst();
                byte[] raw = root.api().getRaw("/berth/builds/" + BerthApi.pathSegment(id));
                if ("json".equals(string(format))) {
                    // one object on one line, as Docker's --format json prints each object
                    out.println(Json.write(Json.parse(raw)));
                    yield ExitCodes.OK;
                }
                printRecord(out, Json.parse(raw));
                yield ExitCodes.OK;
            }
            case "logs" -> {
                String id = requireArgs(ids, 1, 1).getFirst();
                out.print(new String(root.api().getRaw("/berth/builds/" + BerthApi.pathSegment(id) + "/logs"), StandardCharsets.UTF_8));
                out.flush();
                yield ExitCodes.OK;
            }
            default -> replay(requireArgs(ids, 1, 1).getFirst());
        };
    }

    private int replay(String id) throws IOException {
        PrintStream out = root.out();
        Object[] result = {null};
        try (HttpResponse r = root.api().open("POST", "/berth/builds/" + BerthApi.pathSegment(id) + "/replay", null)) {
            boolean tty = root.stdoutIsTerminal();
            new JsonMessages(out, tty, tty ? root.terminalWidth() : 0).render(r, m -> {
                Object replay = Json.at(m, "aux", "Replay");
                if (replay != null) {
                    result[0] = replay;
                }
            });
        }
        if (result[0] == null) {
            out.println("replay ended without a result");
            return ExitCodes.FAILED;
        }
        Object replay = result[0];
        out.println();
        out.println("Replay of build " + Json.text(replay, "originalBuild").substring(0, 12) + " as build "
                + Json.text(replay, "replayBuild").substring(0, 12) + ":");
        int differing = 0;
        for (Object step : Json.list(replay, "steps")) {
            boolean same = Boolean.TRUE.equals(Json.at(step, "reproduced"));
            String recorded = Json.text(step, "recordedDiffId");
            String now = Json.text(step, "replayedDiffId");
            String what = recorded.isEmpty() && now.isEmpty() ? "no layer" : same ? "layer " + recorded : "recorded " + recorded + ", rebuilt " + now;
            out.println(String.format("  step %-3s %-11s %s  (%s)", Json.text(step, "step"), same ? "reproduced" : "DIFFERS",
                    Units.ellipsis(Json.text(step, "instruction"), 50), what));
            if (!same) {
                differing++;
            }
        }
        boolean reproduced = Boolean.TRUE.equals(Json.at(replay, "reproduced"));
        out.println("image: recorded " + Json.text(replay, "recordedImageId") + ", rebuilt " + Json.text(replay, "imageId"));
        out.println(reproduced ? "every layer reproduced" : differing + " step(s) differ: the build is not reproducible");
        out.flush();
        return reproduced ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private static void printRecord(PrintStream out, Object b) {
        out.println("Build:       " + Json.text(b, "id"));
        out.println("Status:      " + Json.text(b, "status") + (Json.text(b, "error").isEmpty() ? "" : ": " + Json.text(b, "error")));
        out.println("Started:     " + Json.text(b, "startedAt") + " by " + Json.text(b, "user") + " (uid " + Json.text(b, "uid")
                + ", pid " + Json.text(b, "pid") + ", " + Json.text(b, "client") + ")");
        out.println("Finished:    " + Json.text(b, "finishedAt") + " (" + millis(number(Json.at(b, "durationMillis"))) + ")");
        if (!Json.text(b, "replayOf").isEmpty()) {
            out.println("Replay of:   " + Json.text(b, "replayOf"));
        }
        out.println("Dockerfile:  " + Json.text(b, "dockerfileName") + " (" + Json.text(b, "dockerfileDigest") + ")");
        out.println("Context:     " + Json.text(b, "contextDigest"));
        Map<String, Object> args = Json.object(b, "buildArgs");
        out.println("Build args:  " + (args == null || args.isEmpty() ? "-" : args.toString()));
        out.println("Target:      " + (Json.text(b, "target").isEmpty() ? "-" : Json.text(b, "target")));
        out.println("No cache:    " + Json.text(b, "noCache"));
        out.println("Tags:        " + String.join(", ", familiar(Json.list(b, "tags"))));
        out.println("Image:       " + (Json.text(b, "imageId").isEmpty() ? "-" : Json.text(b, "imageId")));
        out.println("Steps:");
        for (Object s : Json.list(b, "steps")) {
            out.println(String.format("  %3s  %-7s %s  [%s, stage %s]", Json.text(s, "step"), Json.text(s, "decision").toUpperCase(),
                    Json.text(s, "instruction"), Json.text(s, "location"), Json.text(s, "stage")));
            String reason = Json.text(s, "reason");
            if (!reason.isEmpty()) {
                out.println("         why: " + reason);
            }
            if (!Json.text(s, "diffId").isEmpty()) {
                out.println("         layer: " + Json.text(s, "diffId") + "  blob " + Json.text(s, "layerDigest") + " ("
                        + Units.humanSize(number(Json.at(s, "layerSize")), 3) + ")");
            }
            if (Json.text(s, "decision").equals("built")) {
                out.println("         took: " + millis(number(Json.at(s, "durationMillis"))));
            }
            if (Json.text(s, "decision").equals("failed")) {
                out.println("         exit code: " + Json.text(s, "exitCode"));
                for (Object line : Json.list(s, "lastOutput")) {
                    out.println("         | " + line);
                }
            }
        }
    }

    /** {@code --explain-cache}: one line per step with its decision and reason. */
    static void printCacheDecisions(CommandContext root, String buildId) throws IOException {
        Object b = root.api().getJson("/berth/builds/" + BerthApi.pathSegment(buildId));
        PrintStream out = root.out();
        out.println("Cache decisions (build " + buildId.substring(0, 12) + "):");
        for (Object s : Json.list(b, "steps")) {
            out.println(String.format("  step %-3s %-7s %s", Json.text(s, "step"), Json.text(s, "decision").toUpperCase(),
                    Units.ellipsis(Json.text(s, "instruction").replace('\n', ' '), 60)));
            if (!Json.text(s, "reason").isEmpty()) {
                out.println("           " + Json.text(s, "reason"));
            }
        }
        out.flush();
    }

    private static List<String> familiar(List<Object> refs) {
        return refs.stream().map(r -> {
            String s = String.valueOf(r);
            return s.startsWith("docker.io/library/") ? s.substring("docker.io/library/".length())
                    : s.startsWith("docker.io/") ? s.substring("docker.io/".length()) : s;
        }).toList();
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static String millis(long ms) {
        return ms < 1000 ? ms + " ms" : String.format("%.1f s", ms / 1000.0);
    }

    /**
     * One build as Docker's {@code --format json} prints a listed object: the table's columns under Docker-style
     * key names, as display strings, keys sorted; {@code StartedAt} is the time itself rather than "ago".
     */
    static String jsonLine(List<String> row, String startedAt) {
        Map<String, Object> m = new TreeMap<>();
        m.put("ID", row.get(0));
        m.put("Status", row.get(1));
        m.put("Image", row.get(2));
        m.put("Tags", row.get(3));
        m.put("RunningFor", row.get(4));
        m.put("StartedAt", ImagesCommand.createdAt(Instant.parse(startedAt).getEpochSecond()));
        m.put("Duration", row.get(5));
        m.put("User", row.get(6));
        return Json.write(m);
    }
}
