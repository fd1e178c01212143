package io.berth.engine.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.engine.dockerfile.Instruction.ArgDeclaration;
import io.berth.engine.dockerfile.Instruction.CommandLine;
import io.berth.engine.dockerfile.Instruction.Flag;
import io.berth.engine.dockerfile.Instruction.Heredoc;
import io.berth.engine.dockerfile.Instruction.KeyValue;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The parser against the Dockerfile reference, construct by construct (behaviour checked against Docker's parser). */
class DockerfileParserTest {

    static Dockerfile parse(String text) throws DockerfileException {
        return DockerfileParser.parse("Dockerfile", text);
    }

    /** The single instruction after {@code FROM scratch}. */
    static Instruction only(String instruction) throws DockerfileException {
        Dockerfile d = parse("FROM scratch\n" + instruction + "\n");
        assertEquals(1, d.stages().getFirst().body().size(), "one instruction in " + d);
        return d.stages().getFirst().body().getFirst();
    }

    static DockerfileException error(String text) {
        return assertThrows(DockerfileException.class, () -> parse(text));
    }

    @Nested
    class Structure {
        @Test
        void givenStagesThenEachFromStartsOneWithTheInstructionsUpToTheNext() throws Exception {
            Dockerfile d = parse("""
                    FROM busybox AS build
                    RUN echo one
                    FROM build
                    COPY --from=build /a /b
                    CMD ["x"]
                    """);
            assertEquals(2, d.stages().size());
            assertEquals(0, d.stages().get(0).index());
            assertEquals(Optional.of("build"), d.stages().get(0).name());
            assertEquals("build", d.stages().get(1).from().image());
            assertEquals(2, d.stages().get(1).body().size());
            assertEquals(d.stages().get(0), d.stage("BUILD").orElseThrow());
            assertEquals(d.stages().get(1), d.stage("1").orElseThrow());
            assertEquals('\\', d.escape());
            assertEquals("Dockerfile", d.fileName());
        }

        @Test
        void givenArgsBeforeTheFirstFromThenTheyAreGlobal() throws Exception {
            Dockerfile d = parse("ARG BASE=busybox\nARG TAG\nFROM ${BASE}:${TAG:-1}\nARG TAG\nRUN echo $TAG\n");
            assertEquals(2, d.globalArgs().size());
            assertEquals(List.of(new ArgDeclaration("BASE", Optional.of("busybox"))), d.globalArgs().get(0).args());
            assertEquals("${BASE}:${TAG:-1}", d.stages().getFirst().from().image());
            assertInstanceOf(Instruction.Arg.class, d.stages().getFirst().body().getFirst());
        }

        @Test
        void givenKeywordsInAnyCaseThenTheyAreRecognised() throws Exception {
            Dockerfile d = parse("from scratch as Base\nrUn echo hi\nCopy a b\n");
            assertEquals(Optional.of("base"), d.stages().getFirst().name(), "stage names are lower-cased, as Docker does");
            assertEquals("RUN", d.stages().getFirst().body().get(0).keyword());
            assertEquals("COPY", d.stages().getFirst().body().get(1).keyword());
        }

        @Test
        void givenIndentationThenLocationsPointAtTheKeyword() throws Exception {
            Dockerfile d = parse("FROM scratch\n\n   RUN a \\\n  b\n\tUSER x\n");
            Instruction run = d.stages().getFirst().body().get(0);
            assertEquals(new Location("Dockerfile", 3, 4), run.location());
            assertEquals(new Location("Dockerfile", 5, 2), d.stages().getFirst().body().get(1).location());
            assertEquals(new Location("Dockerfile", 1, 1), d.stages().getFirst().from().location());
        }

        @Test
        void givenAByteOrderMarkAndCrlfLinesThenTheyAreIgnored() throws Exception {
            Dockerfile d = parse("\uFEFFFROM scratch\r\nUSER me\r\n");
            assertEquals("scratch", d.stages().getFirst().from().image());
            assertEquals(new Instruction.User(new Location("Dockerfile", 2, 1), "USER me", "me"), d.stages().getFirst().body().getFirst());
        }

        @Test
        void givenNoFinalNewlineThenTheLastLineStillCounts() throws Exception {
            Dockerfile d = parse("FROM scratch\nUSER x");
            assertEquals("x", ((Instruction.User) d.stages().getFirst().body().getFirst()).user());
        }
    }

    @Nested
    class Comments {
        @Test
        void givenCommentsAndBlankLinesThenTheyAreSkipped() throws Exception {
            Dockerfile d = parse("# a comment\n\n   # indented comment\nFROM scratch\n# RUN not this\nUSER me # not a comment\n");
            assertEquals(1, d.stages().getFirst().body().size());
            assertEquals("me # not a comment", ((Instruction.User) d.stages().getFirst().body().getFirst()).user());
        }

        @Test
        void givenCommentsInsideAContinuationThenTheyAreDropped() throws Exception {
            Instruction.Run run = (Instruction.Run) only("RUN apt-get update \\\n# a comment\n    # another\n && apt-get install x");
            assertEquals(new CommandLine(false, List.of("apt-get update  && apt-get install x")), run.command());
            assertEquals("RUN apt-get update  && apt-get install x", run.source());
        }
    }

    @Nested
    class Continuations {
        @Test
        void givenAnEscapeAtTheEndThenTheNextLineIsJoinedWithItsWhitespace() throws Exception {
            Instruction.Run run = (Instruction.Run) only("RUN echo a \\\n    b");
            assertEquals("echo a     b", run.command().words().getFirst());
        }

        @Test
        void givenBlanksAfterTheEscapeThenItStillContinues() throws Exception {
            Instruction.Run run = (Instruction.Run) only("RUN echo a \\  \t\nb");
            assertEquals("echo a b", run.command().words().getFirst());
        }

        @Test
        void givenEmptyContinuationLinesThenTheyAreSkipped() throws Exception {
            Instruction.Run run = (Instruction.Run) only("RUN echo a \\\n\n   \nb");
            assertEquals("echo a b", run.command().words().getFirst());
        }

        @Test
        void givenAnEscapedEscapeAtTheEndThenTheLineDoesNotContinue() throws Exception {
            Dockerfile d = parse("FROM scratch\nRUN echo a\\\\\nUSER b\n");
            assertEquals(2, d.stages().getFirst().body().size());
            assertEquals("echo a\\\\", ((Instruction.Run) d.stages().getFirst().body().getFirst()).command().words().getFirst());
        }

        @Test
        void givenAContinuationAtTheEndOfTheFileThenTheInstructionEnds() throws Exception {
            Instruction.Run run = (Instruction.Run) only("RUN echo a \\");
            assertEquals("echo a", run.command().words().getFirst());
        }

        @Test
        void givenTheBacktickEscapeDirectiveThenItContinuesLinesAndBackslashIsLiteral() throws Exception {
            Dockerfile d = parse("# escape=`\nFROM scratch\nCOPY a\\b `\n  c:\\dest\\\n");
            assertEquals('`', d.escape());
            assertEquals(Map.of("escape", "`"), d.directives());
            Instruction.Copy copy = (Instruction.Copy) d.stages().getFirst().body().getFirst();
            assertEquals(List.of("a\\b"), copy.sources());
            assertEquals("c:\\dest\\", copy.destination());
        }
    }

    @Nested
    class Directives {
        @Test
        void givenDirectivesAtTheTopThenTheyAreRecordedCaseInsensitively() throws Exception {
            Dockerfile d = parse("# syntax=docker/dockerfile:1\n#ESCAPE = \\\n# check=skip=all\nFROM scratch\n");
            assertEquals(Map.of("syntax", "docker/dockerfile:1", "escape", "\\", "check", "skip=all"), d.directives());
        }

        @Test
        void givenADirectiveAfterACommentOrBlankLineThenItIsAComment() throws Exception {
            assertEquals(Map.of(), parse("# hello\n# escape=`\nFROM scratch\n").directives());
            assertEquals(Map.of(), parse("\n# escape=`\nFROM scratch\n").directives());
            assertEquals(Map.of(), parse("FROM scratch\n# escape=`\n").directives());
            assertEquals('\\', parse("# unknown=x\n# escape=`\nFROM scratch\n").escape());
        }

        @Test
        void givenARepeatedDirectiveThenItIsAnError() {
            DockerfileException e = error("# escape=`\n# escape=\\\nFROM scratch\n");
            assertEquals("Dockerfile:2:1: only one escape parser directive can be used", e.getMessage());
        }

        @Test
        void givenABadEscapeThenItIsAnError() {
            DockerfileException e = error("# escape=x\nFROM scratch\n");
            assertEquals("Dockerfile:1:1: invalid escape token 'x' does not match ` or \\", e.getMessage());
        }

        @Test
        void givenTheOfficialFrontendInAnyOfItsFormsThenBerthsParserReadsTheFile() throws Exception {
            for (String frontend : List.of("docker/dockerfile:1", "docker/dockerfile:1.7", "docker/dockerfile:1.7.1",
                    "docker/dockerfile:1-labs", "docker/dockerfile:1.7-labs", "docker/dockerfile:labs", "docker/dockerfile",
                    "docker/dockerfile:latest", "docker.io/docker/dockerfile:1", "docker/dockerfile-upstream:master",
                    "docker/dockerfile:1.0-experimental",
                    "docker/dockerfile:1@sha256:" + "a".repeat(64))) {
                Dockerfile d = parse("# syntax=" + frontend + "\nFROM scratch\nRUN --mount=type=cache,target=/c true\n");
                assertEquals(frontend, d.directives().get("syntax"), frontend);
                assertEquals(1, d.stages().getFirst().body().size(), frontend);
            }
        }

        @Test
        void givenAnyOtherFrontendThenTheErrorNamesItOnItsLine() {
            DockerfileException e = error("# syntax=example.invalid/my/frontend:2\nFROM scratch\n");
            assertEquals(1, e.location().line());
            assertTrue(e.getMessage().startsWith("Dockerfile:1:1: unsupported frontend \"example.invalid/my/frontend:2\""), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
            assertTrue(error("# syntax=docker/dockerfile:0.9\nFROM scratch\n").getMessage().contains("docker/dockerfile:0.9"));
            assertEquals(2, error("# escape=`\n# syntax = tonistiigi/dockerfile:runmount\nFROM scratch\n").location().line());
        }
    }

    @Nested
    class Forms {
        @Test
        void givenAJsonArrayThenItIsTheExecForm() throws Exception {
            assertEquals(new CommandLine(true, List.of("/bin/echo", "a b", "\u00e9\"")),
                    ((Instruction.Cmd) only("CMD [\"/bin/echo\", \"a b\", \"\\u00e9\\\"\"]")).command());
            assertEquals(new CommandLine(true, List.of("sh")), ((Instruction.Entrypoint) only("ENTRYPOINT   [ \"sh\" ]  ")).command());
            assertEquals(new CommandLine(true, List.of()), ((Instruction.Run) only("RUN []")).command());
        }

        @Test
        void givenInvalidJsonThenItFallsBackToTheShellForm() throws Exception {
            assertEquals(new CommandLine(false, List.of("[\"echo\", \"unterminated\"")),
                    ((Instruction.Run) only("RUN [\"echo\", \"unterminated\"")).command());
            assertEquals(new CommandLine(false, List.of("['single']")), ((Instruction.Cmd) only("CMD ['single']")).command());
            assertEquals(new CommandLine(false, List.of("echo [\"x\"]")), ((Instruction.Cmd) only("CMD echo [\"x\"]")).command());
        }

        @Test
        void givenTextAfterAJsonArrayThenItIsIgnoredAsDockerDoes() throws Exception {
            // docker build (20.10) makes Cmd ["a"] of this
            assertEquals(new CommandLine(true, List.of("a")), ((Instruction.Cmd) only("CMD [\"a\"] trailing")).command());
        }

        @Test
        void givenAJsonArrayOfNonStringsThenItIsAnError() {
            assertEquals("Dockerfile:2:1: when using JSON array syntax, arrays must be comprised of strings only",
                    error("FROM scratch\nCMD [\"a\", 1]\n").getMessage());
        }

        @Test
        void givenNothingAfterTheKeywordThenTheCommandHasNoWords() throws Exception {
            assertEquals(new CommandLine(false, List.of()), ((Instruction.Cmd) only("CMD")).command());
            assertEquals(new CommandLine(false, List.of()), ((Instruction.Entrypoint) only("ENTRYPOINT")).command());
        }

        @Test
        void givenShellFormThenTheTextIsKeptAsWritten() throws Exception {
            Instruction.Run run = (Instruction.Run) only("RUN   echo \"$HOME\"  'x'  ");
            assertEquals(new CommandLine(false, List.of("echo \"$HOME\"  'x'")), run.command());
            assertEquals("RUN   echo \"$HOME\"  'x'", run.source());
        }
    }

    @Nested
    class Instructions {
        @Test
        void from() throws Exception {
            Instruction.From f = parse("FROM --platform=linux/amd64 busybox:1 AS Base\n").stages().getFirst().from();
            assertEquals("busybox:1", f.image());
            assertEquals(Optional.of("base"), f.alias());
            assertEquals(Optional.of("linux/amd64"), f.platform());
            assertEquals("FROM --platform=linux/amd64 busybox:1 AS Base", f.source());
        }

        @Test
        void run() throws Exception {
            Instruction.Run r = (Instruction.Run) only("RUN --mount=type=cache,target=/c --mount=type=tmpfs,target=/t --network=none make");
            assertEquals(List.of(new Flag("mount", "type=cache,target=/c"), new Flag("mount", "type=tmpfs,target=/t"),
                    new Flag("network", "none")), r.flags());
            assertEquals(new CommandLine(false, List.of("make")), r.command());
            assertEquals(List.of(), r.heredocs());
        }

        @Test
        void shell() throws Exception {
            assertEquals(List.of("/bin/bash", "-eo", "pipefail", "-c"),
                    ((Instruction.Shell) only("SHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]")).shell());
        }

        @Test
        void label() throws Exception {
            Instruction.Label l = (Instruction.Label) only("LABEL a=1 \"b c\"=\"d e\" f=g\\ h version='1.0'");
            assertEquals(List.of(new KeyValue("a", "1"), new KeyValue("\"b c\"", "\"d e\""), new KeyValue("f", "g\\ h"),
                    new KeyValue("version", "'1.0'")), l.pairs());
        }

        @Test
        void labelLegacy() throws Exception {
            assertEquals(List.of(new KeyValue("description", "a long  text")),
                    ((Instruction.Label) only("LABEL description a long  text")).pairs());
        }

        @Test
        void maintainer() throws Exception {
            assertEquals("Jane Doe <jane@example.com>", ((Instruction.Maintainer) only("MAINTAINER Jane Doe <jane@example.com>")).name());
        }

        @Test
        void expose() throws Exception {
            assertEquals(List.of("80", "443/tcp", "8000-8010/udp", "$PORT"),
                    ((Instruction.Expose) only("EXPOSE 80  443/tcp\t8000-8010/udp $PORT")).ports());
        }

        @Test
        void envBothSyntaxes() throws Exception {
            assertEquals(List.of(new KeyValue("A", "1"), new KeyValue("B", "\"two words\""), new KeyValue("C", "$A")),
                    ((Instruction.Env) only("ENV A=1 B=\"two words\" C=$A")).pairs());
            assertEquals(List.of(new KeyValue("PATH", "/usr/bin:$PATH with spaces")),
                    ((Instruction.Env) only("ENV PATH /usr/bin:$PATH with spaces")).pairs());
            assertEquals(List.of(new KeyValue("E", "")), ((Instruction.Env) only("ENV E=")).pairs());
        }

        @Test
        void add() throws Exception {
            Instruction.Add a = (Instruction.Add) only("ADD --chown=1:2 --chmod=644 --checksum=sha256:abc --link https://x/y.tgz *.txt /dst/");
            assertEquals(List.of("https://x/y.tgz", "*.txt"), a.sources());
            assertEquals("/dst/", a.destination());
            assertEquals(List.of(new Flag("chown", "1:2"), new Flag("chmod", "644"), new Flag("checksum", "sha256:abc"),
                    new Flag("link", "true")), a.flags());
        }

        @Test
        void copy() throws Exception {
            Instruction.Copy c = (Instruction.Copy) only("COPY --from=build --chown=\"app user\" [\"a b\", \"c\", \"/d e/\"]");
            assertEquals(List.of("a b", "c"), c.sources());
            assertEquals("/d e/", c.destination());
            assertEquals(List.of(new Flag("from", "build"), new Flag("chown", "app user")), c.flags());
            Instruction.Copy shell = (Instruction.Copy) only("COPY  a\tb   c");
            assertEquals(List.of("a", "b"), shell.sources());
        }

        @Test
        void copyLinkFalse() throws Exception {
            assertEquals(List.of(new Flag("link", "false")), ((Instruction.Copy) only("COPY --link=FALSE a b")).flags());
        }

        @Test
        void volume() throws Exception {
            assertEquals(List.of("/a", "/b"), ((Instruction.Volume) only("VOLUME /a  /b")).paths());
            assertEquals(List.of("/a b"), ((Instruction.Volume) only("VOLUME [\"/a b\"]")).paths());
        }

        @Test
        void userWorkdirStopsignal() throws Exception {
            assertEquals("app:staff", ((Instruction.User) only("USER app:staff")).user());
            assertEquals("/my dir", ((Instruction.Workdir) only("WORKDIR /my dir")).path());
            assertEquals("SIGQUIT", ((Instruction.StopSignal) only("STOPSIGNAL SIGQUIT")).signal());
            assertEquals("STOPSIGNAL", only("STOPSIGNAL 9").keyword());
        }

        @Test
        void arg() throws Exception {
            assertEquals(List.of(new ArgDeclaration("A", Optional.empty()), new ArgDeclaration("B", Optional.of("")),
                            new ArgDeclaration("C", Optional.of("\"x y\"")), new ArgDeclaration("D", Optional.of("${A:-1}"))),
                    ((Instruction.Arg) only("ARG A B= C=\"x y\" D=${A:-1}")).args());
        }

        @Test
        void onbuild() throws Exception {
            Instruction.Onbuild o = (Instruction.Onbuild) only("ONBUILD COPY --chown=1 . /app");
            Instruction.Copy trigger = assertInstanceOf(Instruction.Copy.class, o.trigger());
            assertEquals(List.of(new Flag("chown", "1")), trigger.flags());
            assertEquals("COPY --chown=1 . /app", o.triggerSource());
            assertEquals(new Location("Dockerfile", 2, 9), trigger.location());
            assertEquals("ONBUILD COPY --chown=1 . /app", o.source());
        }

        @Test
        void onbuildKeepsTheTriggerAsWrittenForTheImageConfig() throws Exception {
            // docker build (20.10) stores OnBuild ["copy  --chown=1:1 a b"] for this line
            Instruction.Onbuild o = (Instruction.Onbuild) only("onbuild   copy  --chown=1:1 a b");
            assertEquals("copy  --chown=1:1 a b", o.triggerSource());
            assertEquals(new Location("Dockerfile", 2, 11), o.trigger().location());
        }

        @Test
        void onbuildWithAHeredoc() throws Exception {
            Instruction.Onbuild o = (Instruction.Onbuild) only("onbuild RUN <<EOF\necho hi\nEOF");
            Instruction.Run trigger = assertInstanceOf(Instruction.Run.class, o.trigger());
            assertEquals(List.of(new Heredoc("EOF", "echo hi\n", true, false)), trigger.heredocs());
            assertEquals("RUN <<EOF\necho hi\nEOF", o.triggerSource());
            Instruction again = DockerfileParser.parseInstruction(o.triggerSource(), new Location("base", 1, 1), '\\');
            assertEquals(trigger.heredocs(), ((Instruction.Run) again).heredocs());
        }

        @Test
        void healthcheck() throws Exception {
            Instruction.Healthcheck h = (Instruction.Healthcheck) only(
                    "HEALTHCHECK --interval=30s --timeout=1m30s --start-period=0 --start-interval=500ms --retries=3 CMD curl -f http://x/ || exit 1");
            assertEquals(Optional.of(new CommandLine(false, List.of("curl -f http://x/ || exit 1"))), h.command());
            assertEquals(5, h.flags().size());
            assertEquals(Optional.of(new CommandLine(true, List.of("/check"))),
                    ((Instruction.Healthcheck) only("HEALTHCHECK cmd [\"/check\"]")).command());
            assertEquals(Optional.empty(), ((Instruction.Healthcheck) only("HEALTHCHECK none")).command());
        }

        @Test
        void parseInstructionReadsOneInstruction() throws Exception {
            Instruction i = DockerfileParser.parseInstruction("RUN echo `\n  hi", new Location("base-image", 1, 1), '`');
            assertEquals(new CommandLine(false, List.of("echo   hi")), ((Instruction.Run) i).command());
            assertThrows(DockerfileException.class, () -> DockerfileParser.parseInstruction("RUN a\nRUN b", new Location("x", 1, 1), '\\'));
            assertThrows(DockerfileException.class, () -> DockerfileParser.parseInstruction("  ", new Location("x", 1, 1), '\\'));
        }
    }

    @Nested
    class Heredocs {
        @Test
        void givenARunHeredocThenItsBodyIsKeptAndTheCommandIsTheFirstLine() throws Exception {
            Dockerfile d = parse("FROM scratch\nRUN <<EOF\nset -e\n  echo $HOME\nEOF\nUSER x\n");
            Instruction.Run run = (Instruction.Run) d.stages().getFirst().body().getFirst();
            assertEquals(new CommandLine(false, List.of("<<EOF")), run.command());
            assertEquals(List.of(new Heredoc("EOF", "set -e\n  echo $HOME\n", true, false)), run.heredocs());
            assertEquals("RUN <<EOF", run.source());
            assertEquals(new Location("Dockerfile", 6, 1), d.stages().getFirst().body().get(1).location());
        }

        @Test
        void givenQuotedDelimitersThenTheBodyIsNotExpanded() throws Exception {
            Instruction.Run a = (Instruction.Run) only("RUN <<\"EOF\" sh\n$X\nEOF");
            assertEquals(List.of(new Heredoc("EOF", "$X\n", false, false)), a.heredocs());
            Instruction.Run b = (Instruction.Run) only("RUN <<'END' sh\n$X\nEND");
            assertEquals(List.of(new Heredoc("END", "$X\n", false, false)), b.heredocs());
        }

        @Test
        void givenADashThenLeadingTabsAreStrippedAndTheDelimiterMayBeIndented() throws Exception {
            Instruction.Run r = (Instruction.Run) only("RUN <<-EOF\n\t\techo a\n\t  b\n\tEOF");
            assertEquals(List.of(new Heredoc("EOF", "echo a\n  b\n", true, true)), r.heredocs());
        }

        @Test
        void givenSeveralHeredocsOnOneLineThenTheirBodiesFollowInOrder() throws Exception {
            Instruction.Copy c = (Instruction.Copy) only("COPY <<one.txt <<two.txt /dst/\n1\nOne.txt\none.txt\n2\ntwo.txt");
            assertEquals(List.of("<<one.txt", "<<two.txt"), c.sources());
            assertEquals(List.of(new Heredoc("one.txt", "1\nOne.txt\n", true, false), new Heredoc("two.txt", "2\n", true, false)), c.heredocs());
            assertEquals(Optional.of("one.txt"), DockerfileParser.heredocName(c.sources().getFirst()));
            assertEquals(Optional.empty(), DockerfileParser.heredocName("/dst/"));
        }

        @Test
        void givenAHeredocIntoAFileThenTheRestOfTheLineIsTheCommand() throws Exception {
            Instruction.Run r = (Instruction.Run) only("RUN cat <<EOF > /file && cat 3<<X\nhello\nEOF\nx\nX");
            assertEquals(List.of(new Heredoc("EOF", "hello\n", true, false), new Heredoc("X", "x\n", true, false)), r.heredocs());
        }

        @Test
        void givenExecFormOrOtherInstructionsThenThereAreNoHeredocs() throws Exception {
            Dockerfile d = parse("FROM scratch\nRUN [\"cat\", \"<<EOF\"]\nCMD cat <<EOF\n");
            assertEquals(List.of(), ((Instruction.Run) d.stages().getFirst().body().getFirst()).heredocs());
            assertEquals(2, d.stages().getFirst().body().size());
        }

        @Test
        void givenAnAddHeredocThenItIsASource() throws Exception {
            Instruction.Add a = (Instruction.Add) only("ADD <<EOF /etc/motd\nwelcome\nEOF");
            assertEquals(List.of("<<EOF"), a.sources());
            assertEquals(List.of(new Heredoc("EOF", "welcome\n", true, false)), a.heredocs());
        }
    }

    @Nested
    class Errors {
        @Test
        void unknownInstructionSuggestsTheCloseOne() {
            assertEquals("Dockerfile:2:1: unknown instruction: RUNN (did you mean RUN?)", error("FROM scratch\nRUNN x\n").getMessage());
            assertEquals("Dockerfile:2:3: unknown instruction: cpoy (did you mean COPY?)", error("FROM scratch\n  cpoy a b\n").getMessage());
            assertEquals("Dockerfile:2:1: unknown instruction: FOOBARBAZ", error("FROM scratch\nFOOBARBAZ\n").getMessage());
        }

        @Test
        void unterminatedHeredoc() {
            DockerfileException e = error("FROM scratch\nRUN <<EOF\necho\nEO\n");
            assertEquals(new Location("Dockerfile", 2, 5), e.location(), "where the heredoc opens");
            assertTrue(e.problem().startsWith("unterminated heredoc"), e.problem());
        }

        @Test
        void unterminatedQuote() {
            DockerfileException e = error("FROM scratch\nENV A=\"abc\n");
            assertEquals("Dockerfile:2:7: ENV: unterminated double quote in A=\"abc", e.getMessage());
            assertTrue(error("FROM scratch\nLABEL a='b\n").problem().contains("unterminated single quote"));
        }

        @Test
        void shellNeedsJson() {
            assertTrue(error("FROM scratch\nSHELL /bin/sh -c\n").problem().startsWith("SHELL requires the arguments to be in JSON form"));
            assertTrue(error("FROM scratch\nSHELL [\"/bin/sh\"\n").problem().contains("unterminated JSON array"));
            assertEquals("SHELL requires at least one argument", error("FROM scratch\nSHELL []\n").problem());
            assertTrue(error("FROM scratch\nSHELL [\"a\\q\"]\n").problem().contains("invalid JSON"), "a bad escape in a JSON string");
        }

        @Test
        void missingArguments() {
            assertEquals("COPY requires at least two arguments, but only one was provided. Destination could not be determined",
                    error("FROM scratch\nCOPY a\n").problem());
            assertEquals("ADD requires at least two arguments, but none were provided. Destination could not be determined",
                    error("FROM scratch\nADD\n").problem());
            assertEquals("ENV requires at least one argument", error("FROM scratch\nENV\n").problem());
            assertEquals("LABEL must have two arguments (LABEL key=value, or the legacy LABEL key value)", error("FROM scratch\nLABEL a\n").problem());
            assertEquals("USER requires exactly one argument", error("FROM scratch\nUSER\n").problem());
            assertEquals("WORKDIR requires exactly one argument", error("FROM scratch\nWORKDIR  \n").problem());
            assertEquals("EXPOSE requires at least one argument", error("FROM scratch\nEXPOSE\n").problem());
            assertEquals("VOLUME requires at least one argument", error("FROM scratch\nVOLUME\n").problem());
            assertEquals("VOLUME specified can not be an empty string", error("FROM scratch\nVOLUME [\"\"]\n").problem());
            assertEquals("ARG requires at least one argument", error("FROM scratch\nARG\n").problem());
            assertEquals("ONBUILD requires at least one argument", error("FROM scratch\nONBUILD\n").problem());
            assertEquals("MAINTAINER requires exactly one argument", error("FROM scratch\nMAINTAINER\n").problem());
            assertEquals("STOPSIGNAL requires exactly one argument", error("FROM scratch\nSTOPSIGNAL\n").problem());
            assertTrue(error("FROM\n").problem().startsWith("FROM requires either one or three arguments"));
            assertTrue(error("FROM a b\n").problem().startsWith("FROM requires either one or three arguments"));
        }

        @Test
        void badKeyValues() {
            assertEquals("Syntax error - can't find = in \"b\". Must be of the form: name=value", error("FROM scratch\nENV a=1 b\n").problem());
            assertEquals("ENV names can not be blank", error("FROM scratch\nENV =1\n").problem());
            assertEquals("ARG names can not be blank", error("FROM scratch\nARG =1\n").problem());
        }

        @Test
        void errorsPointAtTheWordEvenOnAContinuationLine() {
            assertEquals("Dockerfile:3:6: unknown flag --frm for COPY (COPY takes --chmod, --chown, --exclude, --from, --link, --parents)",
                    error("FROM scratch\nCOPY --chown=1 \\\n     --frm=x a b\n").getMessage());
            assertEquals("Dockerfile:4:3: Syntax error - can't find = in \"b\". Must be of the form: name=value",
                    error("FROM scratch\nENV A=1 \\\n# note\n  b\n").getMessage());
            assertEquals(new Location("Dockerfile", 3, 9), error("FROM scratch\nRUN cat \\\n && cat <<X\n").location());
            assertEquals(new Location("Dockerfile", 3, 9), error("FROM scratch\nONBUILD \\\n   COPY --x a b\n").location());
        }

        @Test
        void instructionBeforeFrom() {
            assertEquals("Dockerfile:2:1: RUN before the first FROM: a Dockerfile must start with FROM (only ARG may come before it)",
                    error("ARG A\nRUN x\nFROM scratch\n").getMessage());
            assertEquals("no FROM instruction: a Dockerfile needs at least one build stage", error("ARG A\n").problem());
        }

        @Test
        void emptyFile() {
            assertEquals("file with no instructions", error("").problem());
            assertEquals("Dockerfile:3:1: file with no instructions", error("# just\n\n# comments\n").getMessage());
        }

        @Test
        void unknownAndBadFlags() {
            assertEquals("Dockerfile:2:6: unknown flag --frm for COPY (COPY takes --chmod, --chown, --exclude, --from, --link, --parents)",
                    error("FROM scratch\nCOPY --frm=a b c\n").getMessage());
            assertEquals("unknown flag --x for ENV (ENV takes no flags)", error("FROM scratch\nENV --x=1 A=1\n").problem());
            assertEquals("missing a value on flag --from of COPY (--from=VALUE)", error("FROM scratch\nCOPY --from a b\n").problem());
            assertEquals("expecting boolean value for flag --link of COPY, not: yes", error("FROM scratch\nCOPY --link=yes a b\n").problem());
            assertEquals("duplicate flag specified: --from of COPY", error("FROM scratch\nCOPY --from=a --from=b a b\n").problem());
            assertTrue(error("FROM --plat=x scratch\n").problem().startsWith("unknown flag --plat for FROM"));
        }

        @Test
        void onbuildRestrictions() {
            assertEquals("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", error("FROM scratch\nONBUILD ONBUILD RUN x\n").problem());
            assertEquals("FROM isn't allowed as an ONBUILD trigger", error("FROM scratch\nONBUILD from x\n").problem());
            assertEquals("MAINTAINER isn't allowed as an ONBUILD trigger", error("FROM scratch\nONBUILD MAINTAINER x\n").problem());
            assertEquals("Dockerfile:2:9: unknown instruction: RUNX (did you mean RUN?)", error("FROM scratch\nONBUILD RUNX x\n").getMessage());
        }

        @Test
        void healthcheckErrors() {
            assertEquals("HEALTHCHECK NONE takes no arguments", error("FROM scratch\nHEALTHCHECK NONE x\n").problem());
            assertEquals("Unknown type \"RUN\" in HEALTHCHECK (try CMD)", error("FROM scratch\nHEALTHCHECK RUN x\n").problem());
            assertEquals("Missing command after HEALTHCHECK CMD", error("FROM scratch\nHEALTHCHECK CMD\n").problem());
            assertEquals("--retries must be at least 1 (not 0)", error("FROM scratch\nHEALTHCHECK --retries=0 CMD x\n").problem());
            assertTrue(error("FROM scratch\nHEALTHCHECK --interval=10 CMD x\n").problem().contains("missing unit in duration \"10\""));
            assertEquals("Interval \"interval\" cannot be negative", error("FROM scratch\nHEALTHCHECK --interval=-1s CMD x\n").problem());
            assertEquals("Interval \"timeout\" cannot be less than 1ms", error("FROM scratch\nHEALTHCHECK --timeout=10us CMD x\n").problem());
        }

        @Test
        void stageNames() {
            assertTrue(error("FROM scratch AS 1st\n").problem().startsWith("invalid name for build stage: \"1st\""));
            assertEquals("Dockerfile:2:1: duplicate stage name \"a\" (first used at Dockerfile:1:1)", error("FROM scratch AS a\nFROM scratch AS A\n").getMessage());
        }

        @Test
        void heredocAsDestination() {
            assertEquals("COPY cannot accept a heredoc as a destination", error("FROM scratch\nCOPY a <<EOF\nx\nEOF\n").problem());
        }
    }

    @Test
    void everyKeywordIsKnownAndNoOtherIs() {
        assertEquals(18, DockerfileParser.KEYWORDS.size());
        assertFalse(DockerfileParser.KEYWORDS.contains("SCRATCH"));
    }
}
