package io.berth.properties.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.engine.build.dockerfile.Dockerfile;
import io.berth.engine.build.dockerfile.DockerfileException;
import io.berth.engine.build.dockerfile.DockerfileParser;
import io.berth.engine.build.dockerfile.DockerfilePrinter;
import io.berth.engine.build.dockerfile.Instruction;
import io.berth.engine.build.dockerfile.Stage;
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

    @Property(tries = 3000)
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

    @Property(tries = 500)
    void printingIsStable(@ForAll("dockerfiles") Dockerfile model) throws DockerfileException {
        String text = DockerfilePrinter.print(model);
        assertEquals(text, DockerfilePrinter.print(DockerfileParser.parse("Dockerfile", text)));
    }
}
