package io.berth.properties.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.engine.dockerfile.Dockerfile;
import io.berth.engine.dockerfile.DockerfileException;
import io.berth.engine.dockerfile.DockerfileParser;
import io.berth.engine.dockerfile.DockerfilePrinter;
import io.berth.engine.dockerfile.Instruction;
import io.berth.engine.dockerfile.Stage;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Printing a Dockerfile model and parsing the text gives the model back. */
class DockerfileProperties {

    @Provide
    Arbitrary<Dockerfile> dockerfiles() {
        return DockerfileModels.dockerfiles();
    }

    @Property(tries = 1500)
    void parsingThePrintedTextGivesTheModelBack(@ForAll("dockerfiles") Dockerfile model) {
        String text = DockerfilePrinter.print(model);
        Dockerfile parsed;
        try {
            parsed = DockerfileParser.parse("Dockerfile", text);
        } catch (DockerfileException e) {
            throw new AssertionError(e.getMessage() + " in:\n" + text, e);
        }
        Dockerfile normalized = DockerfileModels.normalized(parsed);
        if (!model.equals(normalized)) {
            // name the first instruction that differs, with the text it was printed as
            assertEquals(DockerfilePrinter.print(model).lines().toList(), DockerfilePrinter.print(normalized).lines().toList(), text);
            assertEquals(model, normalized, () -> "printed as:\n" + text);
        }
    }

    @Property(tries = 1000)
    void aParsedInstructionsSourceIsItsPrintedLine(@ForAll("dockerfiles") Dockerfile model) throws DockerfileException {
        Dockerfile parsed = DockerfileParser.parse("Dockerfile", DockerfilePrinter.print(model));
        List<Instruction> all = new ArrayList<>(parsed.globalArgs());
        for (Stage s : parsed.stages()) {
            all.add(s.from());
            all.addAll(s.body());
        }
        for (Instruction i : all) {
            String printed = DockerfilePrinter.print(i, parsed.escape());
            String firstLine = printed.substring(0, printed.indexOf('\n'));
            assertEquals(firstLine, i.source());
            if (i instanceof Instruction.Onbuild o) {
                // the trigger as stored in an image config parses back to the same trigger
                String stored = o.triggerSource();
                Instruction again = DockerfileParser.parseInstruction(stored, o.location(), parsed.escape());
                assertEquals(DockerfileModels.normalized(o.trigger()), DockerfileModels.normalized(again), () -> "trigger source:\n" + stored);
            }
        }
    }

    /**
     * The same Dockerfile written less tidily — comments and blank lines between instructions and
     * inside continuations, indentation, lines split with the escape character (blanks after it),
     * CRLF line ends — parses to the same model.
     */
    @Property(tries = 1000)
    void layoutDoesNotChangeTheModel(@ForAll("dockerfiles") Dockerfile model, @ForAll long seed) throws DockerfileException {
        java.util.Random r = new java.util.Random(seed);
        char escape = model.escape();
        StringBuilder text = new StringBuilder();
        String printed = DockerfilePrinter.print(model);
        List<String> lines = printed.lines().toList();
        int i = 0;
        while (i < lines.size() && lines.get(i).startsWith("# ")) {
            text.append(lines.get(i++)).append('\n'); // directives stay first
        }
        List<Instruction> all = new ArrayList<>(model.globalArgs());
        for (Stage s : model.stages()) {
            all.add(s.from());
            all.addAll(s.body());
        }
        for (Instruction instruction : all) {
            if (r.nextInt(3) == 0) {
                text.append(r.nextBoolean() ? "\n" : "  # a comment " + r.nextInt(99) + "\n");
            }
            String[] own = DockerfilePrinter.print(instruction, escape).split("\n", -1);
            String first = own[0];
            text.append(r.nextBoolean() ? "" : " \t ");
            // split the instruction's line at some blanks: "a b" is "a " + escape + newline + "b"
            int from = 0;
            for (int at = first.indexOf(' ', 1); at > 0; at = first.indexOf(' ', at + 1)) {
                // a continuation line that starts with # is a comment, and a blank one is skipped: split elsewhere
                boolean startsText = at + 1 < first.length() && first.charAt(at + 1) != '#' && !Character.isWhitespace(first.charAt(at + 1));
                if (startsText && r.nextInt(4) == 0) {
                    text.append(first, from, at + 1).append(escape).append(r.nextBoolean() ? "" : " \t").append('\n');
                    if (r.nextInt(3) == 0) {
                        text.append(r.nextBoolean() ? "   \n" : "# inside a continuation\n");
                    }
                    from = at + 1;
                }
            }
            text.append(first.substring(from)).append('\n');
            for (int n = 1; n < own.length - 1; n++) {
                text.append(own[n]).append('\n'); // heredoc bodies as they are
            }
        }
        String written = r.nextInt(4) == 0 ? text.toString().replace("\n", "\r\n") : text.toString();
        Dockerfile parsed;
        try {
            parsed = DockerfileParser.parse("Dockerfile", written);
        } catch (DockerfileException e) {
            throw new AssertionError(e.getMessage() + " in:\n" + written, e);
        }
        Dockerfile normalized = DockerfileModels.normalized(parsed);
        if (!model.equals(normalized)) {
            assertEquals(printed.lines().toList(), DockerfilePrinter.print(normalized).lines().toList(), written);
            assertEquals(model, normalized, written);
        }
        // and the parsed file prints as written (continuations joined): same model, sources included
        String again = DockerfilePrinter.print(parsed);
        assertEquals(DockerfileModels.normalized(parsed, true), DockerfileModels.normalized(DockerfileParser.parse("Dockerfile", again), true),
                () -> "written:\n" + written + "\nprinted:\n" + again);
    }

    @Property(tries = 500)
    void printingIsStable(@ForAll("dockerfiles") Dockerfile model) throws DockerfileException {
        String text = DockerfilePrinter.print(model);
        assertEquals(text, DockerfilePrinter.print(DockerfileParser.parse("Dockerfile", text)));
    }
}
