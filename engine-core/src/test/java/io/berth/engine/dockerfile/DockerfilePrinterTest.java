package io.berth.engine.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.engine.dockerfile.Instruction.CommandLine;
import io.berth.engine.dockerfile.Instruction.Flag;
import io.berth.engine.dockerfile.Instruction.KeyValue;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Printing renders each instruction from its fields; parsing the text gives the same instructions back. */
class DockerfilePrinterTest {
    private static final Location L = new Location("Dockerfile", 1, 1);

    private static final String EVERYTHING = """
            # syntax=docker/dockerfile:1
            ARG BASE=busybox
            FROM --platform=linux/amd64 ${BASE} AS build
            RUN --mount=type=cache,target=/root/.cache --network=none set -e; \\
                echo "building $HOME"
            RUN ["/bin/echo", "a b", "qu\\"ote"]
            RUN <<EOF
            echo one
            EOF
            COPY --chown="app user" --link <<one.txt <<-'two' /dst/
            1
            one.txt
            \t2
            \ttwo
            FROM build
            LABEL a=1 "b c"="d e"
            LABEL description a long text
            ENV PATH=/x:$PATH E=
            ENV LEGACY value with spaces
            MAINTAINER Jane <j@x>
            EXPOSE 80 443/tcp 8000-8010/udp
            VOLUME /a /b
            VOLUME ["/with space"]
            ADD --checksum=sha256:abc https://x/y.tgz /z/
            COPY ["a b", "c"]
            COPY --from=build /out /
            USER app:staff
            WORKDIR /srv/app
            ARG V=1 W
            ONBUILD RUN make
            ONBUILD COPY <<X /x
            body
            X
            STOPSIGNAL SIGTERM
            HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://localhost/ || exit 1
            HEALTHCHECK NONE
            SHELL ["/bin/bash", "-c"]
            CMD ["run"]
            ENTRYPOINT exec /entry
            CMD
            """;

    @Test
    void givenAParsedFileThenPrintingAndParsingAgainGivesTheSameInstructions() throws Exception {
        Dockerfile parsed = DockerfileParser.parse("Dockerfile", EVERYTHING);
        String printed = DockerfilePrinter.print(parsed);
        Dockerfile again = DockerfileParser.parse("Dockerfile", printed);
        assertEquals(printed, DockerfilePrinter.print(again));
        assertEquals(parsed.directives(), again.directives());
        assertEquals(parsed.globalArgs().getFirst().args(), again.globalArgs().getFirst().args());
        for (int s = 0; s < parsed.stages().size(); s++) {
            List<Instruction> a = parsed.stages().get(s).body();
            List<Instruction> b = again.stages().get(s).body();
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                assertEquals(DockerfilePrinter.print(a.get(i)), DockerfilePrinter.print(b.get(i)));
                assertEquals(DockerfilePrinter.line(b.get(i), again.escape()), b.get(i).source(), "a printed instruction is its own source");
            }
        }
    }

    @Test
    void givenAParsedFileThenItPrintsAsWrittenAndParsesBackWithTheSameSources() throws Exception {
        String text = "FROM  busybox   AS b\nRUN echo   a \\\n  # note\n  b\nCOPY <<EOF  /x\nhi\nEOF\nONBUILD   RUN  x\n";
        Dockerfile parsed = DockerfileParser.parse("Dockerfile", text);
        String printed = DockerfilePrinter.print(parsed);
        assertEquals("FROM  busybox   AS b\nRUN echo   a   b\nCOPY <<EOF  /x\nhi\nEOF\nONBUILD   RUN  x\n", printed);
        Dockerfile again = DockerfileParser.parse("Dockerfile", printed);
        List<Instruction> a = parsed.stages().getFirst().body();
        List<Instruction> b = again.stages().getFirst().body();
        for (int i = 0; i < a.size(); i++) {
            assertEquals(DockerfilePrinter.withoutLocation(a.get(i)), DockerfilePrinter.withoutLocation(b.get(i)));
        }
    }

    @Test
    void givenAnEditedInstructionThenItIsRenderedFromItsFields() {
        Instruction.User edited = new Instruction.User(L, "USER old", "new");
        assertEquals("USER new\n", DockerfilePrinter.print(edited));
    }

    @Test
    void givenTheBacktickEscapeThenTheDirectiveIsPrinted() throws Exception {
        Dockerfile d = DockerfileParser.parse("Dockerfile", "# escape=`\nFROM scratch\nCOPY a\\b `\n c:\\\n");
        assertEquals("# escape=`\nFROM scratch\nCOPY a\\b  c:\\\n", DockerfilePrinter.print(d));
    }

    @Test
    void givenWordsTheShellFormCannotCarryThenTheJsonFormIsUsed() {
        assertEquals("COPY --chown=\"a \\\"b\\\"\" [\"x y\", \"/d\"]\n", DockerfilePrinter.print(new Instruction.Copy(L, "", List.of("x y"), "/d",
                List.of(new Flag("chown", "a \"b\"")), List.of())));
        assertEquals("VOLUME [\"[x\"]\n", DockerfilePrinter.print(new Instruction.Volume(L, "", List.of("[x"))));
    }

    @Test
    void givenTextThatLooksLikeAFlagThenItFollowsADoubleDash() throws Exception {
        Instruction run = new Instruction.Run(L, "", new CommandLine(false, List.of("--version")), List.of(), List.of());
        String text = DockerfilePrinter.print(run);
        assertEquals("RUN -- --version\n", text);
        assertEquals(new CommandLine(false, List.of("--version")),
                ((Instruction.Run) DockerfileParser.parseInstruction(text, L, '\\')).command());
    }

    @Test
    void givenASinglePairWithSpacesThenTheLegacyFormIsUsed() {
        assertEquals("ENV A b c\n", DockerfilePrinter.print(new Instruction.Env(L, "", List.of(new KeyValue("A", "b c")))));
        assertEquals("ENV A=b C=\"d e\"\n", DockerfilePrinter.print(new Instruction.Env(L, "",
                List.of(new KeyValue("A", "b"), new KeyValue("C", "\"d e\"")))));
    }

    @Test
    void givenAModelThenDirectivesComeFirstAndStagesInOrder() {
        Dockerfile d = new Dockerfile("Dockerfile", Map.of("syntax", "x"), '\\',
                List.of(new Instruction.Arg(L, "", List.of(new Instruction.ArgDeclaration("A", Optional.empty())))),
                List.of(new Stage(0, new Instruction.From(L, "", "scratch", Optional.of("a"), Optional.empty()), List.of()),
                        new Stage(1, new Instruction.From(L, "", "a", Optional.empty(), Optional.of("linux/amd64")),
                                List.of(new Instruction.Healthcheck(L, "", Optional.empty(), List.of())))));
        assertEquals("# syntax=x\nARG A\nFROM scratch AS a\nFROM --platform=linux/amd64 a\nHEALTHCHECK NONE\n", DockerfilePrinter.print(d));
    }
}
