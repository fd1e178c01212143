package io.berth.cli;

import io.berth.cli.exit.CliException;
import io.berth.cli.commands.ImagesCommand;
import io.berth.cli.commands.PsCommand;
import io.berth.cli.commands.VersionCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The everyday commands' dispatch table reads a command line exactly as picocli does, or leaves it to picocli:
 * for every line it takes, picocli's parse gives the same global options and the same command options; every
 * line picocli refuses, it refuses too.
 */
class QuickCommandsTest {
    private static final Map<String, String> ENV = Map.of("BERTH_ROOT", "/var/tmp/env-root");

    /** What picocli reads from {@code args}, in the dispatch table's terms; {@code null} when it refuses the line. */
    private static QuickCommands.Line picocli(String[] args) {
        System.setProperty("picocli.disable.closures", "true");
        System.setProperty("picocli.converters.excludes", ".*");
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        String command = Main.commandName(args);
        String member = command == null ? null : Main.argumentAfter(args, command);
        BerthCommand root = new BerthCommand(ENV, new ByteArrayInputStream(new byte[0]), sink, sink,
                BerthCommand.buildsAlone(command) ? command : null, member);
        CommandLine.ParseResult parsed;
        try {
            parsed = new CommandLine(root.spec()).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            return null;
        }
        CommandLine.ParseResult leaf = parsed;
        while (leaf.subcommand() != null) {
            leaf = leaf.subcommand();
        }
        if (leaf.isUsageHelpRequested() || parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested()) {
            return null;
        }
        Object user = leaf.commandSpec().userObject();
        Object options;
        String name;
        try {
            if (user instanceof PsCommand ps) {
                name = "ps";
                options = ps.options();
            } else if (user instanceof ImagesCommand images) {
                name = "images";
                options = images.options();
            } else if (user instanceof VersionCommand version) {
                name = "version";
                options = version.format();
            } else {
                return null;
            }
        } catch (CliException wrongArgumentCount) {
            return null;
        }
        return new QuickCommands.Line(root.hostUri(), root.rootDir(), root.debug(), name, options);
    }

    /** The dispatch table's reading, with the global options resolved as the root command resolves them. */
    private static QuickCommands.Line quick(String[] args) {
        QuickCommands.Line line = QuickCommands.read(args);
        if (line == null) {
            return null;
        }
        BerthCommand plain = BerthCommand.plain(ENV, new ByteArrayInputStream(new byte[0]), System.out, System.err,
                line.host(), line.root(), line.debug());
        return new QuickCommands.Line(plain.hostUri(), plain.rootDir(), plain.debug(), line.command(), line.options());
    }

    @Test
    void givenTheEverydayLinesThenTheTableTakesThemAndReadsThemAsPicocliDoes() {
        String[][] lines = {
            {"ps"}, {"ps", "-a"}, {"ps", "-aq"}, {"ps", "-qa", "--no-trunc"}, {"ps", "--all", "--quiet"},
            {"ps", "--format", "json"}, {"ps", "--format={{.ID}}"}, {"ps", "-f", "status=exited", "--filter", "name=x"},
            {"ps", "--filter=label=a=b"}, {"ps", "--at", "10m"}, {"container", "ls", "-a"}, {"container", "list"},
            {"container", "ps", "-q"}, {"images"}, {"images", "-a", "--digests"}, {"images", "busybox:latest", "-q"},
            {"images", "--format", "table {{.ID}}", "alpine"}, {"image", "ls"}, {"image", "list", "--no-trunc"},
            {"version"}, {"version", "--format", "json"}, {"version", "-f", "{{.Server.Version}}"},
            {"-H", "unix:///tmp/x.sock", "ps"}, {"--host=unix:///tmp/x.sock", "--root", "/tmp/r", "-D", "images"},
            {"--root=rel/dir", "--debug", "version"}, {"-D", "-H", "unix://relative.sock", "container", "ls"},
            {"ps", "--format", ""}, {"images", ""},
        };
        for (String[] line : lines) {
            assertNotNull(QuickCommands.read(line), String.join(" ", line));
            assertEquals(picocli(line), quick(line), String.join(" ", line));
        }
    }

    @Test
    void givenHelpErrorsAndUnusualFormsThenPicocliReadsThem() {
        String[][] lines = {
            {}, {"--version"}, {"-v"}, {"ps", "--help"}, {"ps", "-h"}, {"--help", "ps"}, {"ps", "--bogus"}, {"ps", "x"},
            {"ps", "-a", "-a"}, {"ps", "--format", "a", "--format", "b"}, {"ps", "--format"}, {"ps", "--format", "-a"},
            {"ps", "-f=a=b"}, {"ps", "-fstatus=exited"}, {"ps", "--all=true"}, {"ps", "-D"}, {"ps", "--"},
            {"images", "a", "b"}, {"version", "x"}, {"-H", "ps"}, {"-H"}, {"-Hunix:///x", "ps"}, {"-H", "a", "-H", "b", "ps"},
            {"-D", "-D", "ps"}, {"container"}, {"container", "rm", "x"}, {"image", "inspect", "x"}, {"info"}, {"-x", "ps"},
            {"ps", "-aqx"}, {"ps", "-aa"},
        };
        for (String[] line : lines) {
            assertNull(QuickCommands.read(line), String.join(" ", line));
        }
    }

    /**
     * Random lines from the words these commands take, and some they do not: whatever the table takes, picocli reads
     * the same; whatever picocli refuses, the table leaves to it.
     */
    @Test
    void givenRandomLinesThenNeverADifferentReading() {
        String[] globals = {"-H", "unix:///tmp/a.sock", "--host=unix:///tmp/b.sock", "--root", "/tmp/r", "--root=/x", "-D",
            "--debug", "-v", "-h"};
        String[] commands = {"ps", "images", "version", "container ls", "container list", "container ps", "image ls",
            "image list", "info", "container rm"};
        String[] words = {"-a", "--all", "-q", "--quiet", "-aq", "-qa", "--no-trunc", "--digests", "--format", "json",
            "--format=table", "-f", "status=running", "--filter", "name=x", "--filter=id=1", "--at", "seq:3", "busybox",
            "x:y", "-h", "--help", "--", "-", "-x", "--all=false", "", "-fjson", "-D"};
        Random random = new Random(14);
        int taken = 0;
        for (int n = 0; n < 6000; n++) {
            List<String> line = new ArrayList<>();
            for (int g = random.nextInt(3); g > 0; g--) {
                line.add(globals[random.nextInt(globals.length)]);
            }
            line.addAll(Arrays.asList(commands[random.nextInt(commands.length)].split(" ")));
            for (int w = random.nextInt(5); w > 0; w--) {
                line.add(words[random.nextInt(words.length)]);
            }
            String[] args = line.toArray(new String[0]);
            QuickCommands.Line quick = quick(args);
            if (quick != null) {
                taken++;
                assertEquals(picocli(args), quick, String.join(" ", args));
            }
        }
        assertTrue(taken > 500, "the table took " + taken + " of 6000 random lines");
    }
}
