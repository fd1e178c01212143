package io.berth.spi.tck;

import io.berth.spi.ContainerRuntime;
import io.berth.spi.Probe;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.RuntimeInfo;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The conformance kit for {@link ContainerRuntime}s. Extend it in one line:
 *
 * <pre>{@code
 * class MyRuntimeContractTest extends ContainerRuntimeContract {
 *     @Override protected ContainerRuntime newExtension(PluginContext ctx) { return new MyRuntime(); }
 * }
 * }</pre>
 *
 * <p>The host must have what the runtime needs: a check whose runtime reports itself unusable
 * fails with the probe's own summary (it never skips), so a missing {@code runc} or
 * {@code conmon} shows up as a red test naming the program.
 */
public abstract class ContainerRuntimeContract extends ExtensionContract<ContainerRuntime> {

    /**
     * The probe on this host, failing the check with the probe's summary if the runtime is not
     * usable here.
     *
     * @return the probe
     */
    protected Probe requireUsable() {
        Probe probe = extension.probe();
        if (!probe.usable()) {
            fail("the " + extension.name() + " runtime is not usable on this host, so the conformance kit cannot check it: "
                    + probe.summary());
        }
        return probe;
    }

    private List<Probe.Check> programChecks(Probe probe) {
        return probe.checks().stream().filter(c -> c.kind() == Probe.Kind.PROGRAM).toList();
    }

    @Test
    void givenThisHost_whenProbed_thenTheRuntimeIsUsable() {
        requireUsable();
    }

    @Test
    void givenAProbe_whenItsChecksAreRead_thenUsableMeansNoProblemAndEveryCheckSaysSomething() {
        Probe probe = extension.probe();
        assertEquals(probe.usable(), probe.problems().isEmpty(), "usable() and problems() must agree: " + probe);
        for (Probe.Check check : probe.checks()) {
            assertFalse(check.detail().isBlank(), "check " + check.name() + " must say where it looked or what is wrong");
        }
    }

    @Test
    void givenThisHost_whenProbed_thenEachProgramCheckNamesAnExecutableFile() {
        Probe probe = requireUsable();
        List<Probe.Check> programs = programChecks(probe);
        assertFalse(programs.isEmpty(), "a runtime runs at least one program; its probe must have a PROGRAM check per program");
        for (Probe.Check check : programs) {
            Path path = firstAbsolutePath(check.detail());
            assertTrue(path != null && Files.isExecutable(path),
                    "check " + check.name() + " must name the executable it found, got: " + check.detail());
        }
    }

    @Test
    void givenEveryProgramOptionPointingNowhere_whenProbed_thenEachProgramIsReportedMissingByName() {
        List<Probe.Check> programs = programChecks(requireUsable());
        Map<String, String> options = new HashMap<>(options());
        programs.forEach(c -> options.put(c.name(), nowhere(c.name()).toString()));
        Probe probe = initialized(context.withOptions(options)).probe();
        assertFalse(probe.usable(), "with every program missing the runtime cannot be usable: " + probe);
        for (Probe.Check program : programs) {
            assertTrue(probe.problems().stream().anyMatch(p -> p.contains(program.name()) && p.contains(nowhere(program.name()).toString())),
                    "the probe must name the missing program " + program.name() + " and the path it was told to use; problems: "
                            + probe.problems());
        }
    }

    @Test
    void givenOneProgramMissing_whenProbed_thenOnlyThatProgramIsReported() {
        List<Probe.Check> programs = programChecks(requireUsable());
        for (Probe.Check missing : programs) {
            Map<String, String> options = new HashMap<>(options());
            options.put(missing.name(), nowhere(missing.name()).toString());
            Probe probe = initialized(context.withOptions(options)).probe();
            for (Probe.Check check : programChecks(probe)) {
                assertEquals(!check.name().equals(missing.name()), check.passed(),
                        "with only " + missing.name() + " missing, check " + check + " is wrong");
            }
        }
    }

    @Test
    void givenEveryProgramMissing_whenAskedForTheVersion_thenNotUsableIsThrownNamingAProgram() {
        List<Probe.Check> programs = programChecks(requireUsable());
        Map<String, String> options = new HashMap<>(options());
        programs.forEach(c -> options.put(c.name(), nowhere(c.name()).toString()));
        ContainerRuntime broken = initialized(context.withOptions(options));
        ContainerRuntimeException e = assertThrows(ContainerRuntimeException.class, broken::version);
        assertEquals(ContainerRuntimeException.Reason.NOT_USABLE, e.reason(), e.getMessage());
        assertTrue(programs.stream().anyMatch(c -> e.getMessage().contains(c.name())),
                "the message must name the missing program: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "the message must be one line: " + e.getMessage());
    }

    @Test
    void givenThisHost_whenAskedForTheVersion_thenTheRuntimeAndTheOciSpecVersionsAreGiven() throws Exception {
        requireUsable();
        RuntimeInfo info = extension.version();
        assertFalse(info.name().isBlank(), "version() must name the runtime program");
        assertTrue(info.version().matches("\\d+\\.\\d+.*"), "the runtime's version must start with major.minor: " + info);
        assertTrue(info.ociSpecVersion().matches("\\d+\\.\\d+\\.\\d+.*"), "the OCI runtime spec version must be major.minor.patch: " + info);
        assertEquals(info, extension.version(), "version() must give the same answer twice");
    }

    /**
     * A path that does not exist, for pointing a program option at.
     *
     * @param program the program name
     * @return {@code <tempDir>/nowhere/<program>}
     */
    protected Path nowhere(String program) {
        return tempDir.toAbsolutePath().resolve("nowhere").resolve(program);
    }

    private static Path firstAbsolutePath(String text) {
        for (String word : text.split("[\\s,;()]+")) {
            if (word.startsWith("/")) {
                return Path.of(word);
            }
        }
        return null;
    }
}
