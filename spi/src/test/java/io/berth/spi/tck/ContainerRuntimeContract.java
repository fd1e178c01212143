package io.berth.spi.tck;

import io.berth.spi.ContainerRuntime;
import io.berth.spi.Probe;
import io.berth.spi.runtime.CommandNotRunnableException;
import io.berth.spi.runtime.ContainerRuntimeException;
import io.berth.spi.runtime.ContainerSpec;
import io.berth.spi.runtime.ContainerState;
import io.berth.spi.runtime.ExecHandle;
import io.berth.spi.runtime.ExecSpec;
import io.berth.spi.runtime.ExitStatus;
import io.berth.spi.runtime.RuntimeInfo;
import io.berth.spi.runtime.StdioStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
 *
 * <h2>Lifecycle checks</h2>
 * They run real containers from bundles {@link TestBundles} makes out of the host's static
 * busybox (package {@code busybox-static}), as root. Each container the kit creates is deleted
 * at the end of its check; after every check, even a failed one, the kit force-deletes what is
 * left, then fails the check if anything of its containers remains on the host
 * ({@link ContainerLeaks}): an id in the runtime's {@code list()}, a cgroup directory
 * {@code /sys/fs/cgroup/<hierarchy>/berth-test/<id>}, a process naming the id (the monitor, the
 * runtime), or a file named after the id under the plugin's data directory.
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

    // ---- lifecycle -------------------------------------------------------------------------

    /** How long a check waits for a container to reach a state or to exit. */
    protected static final Duration WAIT = Duration.ofSeconds(20);

    private final List<String> containers = new ArrayList<>();

    /**
     * A new container id, remembered so that the kit cleans up after the check.
     *
     * @return {@code tck-} and 16 random hex digits
     */
    protected String newContainerId() {
        byte[] random = new byte[8];
        ThreadLocalRandom.current().nextBytes(random);
        String id = "tck-" + HexFormat.of().formatHex(random);
        containers.add(id);
        return id;
    }

    /**
     * A bundle builder for a new container under this check's temporary directory.
     *
     * @param id the container id
     * @return the builder
     */
    protected TestBundles.Builder bundle(String id) {
        return TestBundles.busybox(tempDir.resolve("containers"), id);
    }

    /** Deletes what the check left, then fails it if anything of its containers remains. */
    @AfterEach
    void deleteContainersAndCheckNothingLeaked() {
        List<String> leaks = new ArrayList<>();
        for (String id : containers) {
            try {
                extension.delete(id, true);
            } catch (ContainerRuntimeException | RuntimeException e) {
                leaks.add(id + ": delete(force) failed: " + e.getMessage());
            }
            leaks.addAll(leaksOf(id));
            ContainerLeaks.removeForcibly(id);
        }
        ContainerLeaks.removeEmptyParents();
        containers.clear();
        assertEquals(List.of(), leaks, "containers of this check left something behind");
    }

    /**
     * What is left of a container on the host.
     *
     * @param id the container id
     * @return one line per leftover; empty if none
     */
    protected List<String> leaksOf(String id) {
        List<String> leaks = new ArrayList<>();
        try {
            if (extension.list().contains(id)) {
                leaks.add(id + ": still listed by the runtime");
            }
        } catch (ContainerRuntimeException e) {
            leaks.add(id + ": list() failed: " + e.getMessage());
        }
        ContainerLeaks.cgroups(id).forEach(c -> leaks.add(id + ": cgroup " + c + " remains"));
        // the monitor may need a moment to write the exit file and go
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!ContainerLeaks.processes(id).isEmpty() && System.nanoTime() < deadline) {
            sleep(20);
        }
        ContainerLeaks.processes(id).forEach(p -> leaks.add(id + ": process " + p + " (" + commandLine(p) + ") remains"));
        ContainerLeaks.files(context.dataDirectory(), id).forEach(f -> leaks.add(id + ": " + f + " remains"));
        return leaks;
    }

    /**
     * Creates a container, failing the check with the runtime's message if it cannot.
     *
     * @param spec the container
     * @return its id
     */
    protected String create(ContainerSpec spec) throws ContainerRuntimeException {
        requireUsable();
        extension.create(spec);
        return spec.id();
    }

    /**
     * Creates and starts a container running {@code args}.
     *
     * @param args the program and its arguments
     * @return its id
     */
    protected String run(String... args) throws ContainerRuntimeException {
        String id = create(bundle(newContainerId()).args(args).build());
        extension.start(id);
        return id;
    }

    /**
     * Waits for the container's exit status.
     *
     * @param id the container id
     * @return how it ended
     */
    protected ExitStatus awaitExit(String id) throws ContainerRuntimeException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ExitStatus> status = extension.exitStatus(id);
            if (status.isPresent()) {
                return status.get();
            }
            sleep(10);
        }
        return fail("container " + id + " did not exit within " + WAIT.toSeconds() + " s; state " + extension.state(id));
    }

    /**
     * Waits for the runtime to report a status.
     *
     * @param id     the container id
     * @param status the status to wait for
     * @return the state
     */
    protected ContainerState awaitStatus(String id, ContainerState.Status status) throws ContainerRuntimeException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Optional<ContainerState> state = extension.state(id);
        while (System.nanoTime() < deadline) {
            state = extension.state(id);
            if (state.isPresent() && state.get().status() == status) {
                return state.get();
            }
            sleep(10);
        }
        return fail("container " + id + " did not become " + status + " within " + WAIT.toSeconds() + " s; last state " + state);
    }

    /**
     * Deletes a container and checks that nothing of it is left.
     *
     * @param id the container id
     */
    protected void deleteAndCheckNothingLeaks(String id) throws ContainerRuntimeException {
        extension.delete(id, false);
        assertEquals(Optional.empty(), extension.state(id), "a deleted container must be unknown to state()");
        assertEquals(List.of(), leaksOf(id), "delete must remove the runtime's state, the cgroups and the monitor's files and process");
    }

    /** A command line whose first process waits for {@code /go} to appear, then exits with {@code code}. */
    private static String[] gated(int code) {
        return new String[] {"sh", "-c", "while [ ! -e /go ]; do sleep 0.05; done; exit " + code};
    }

    private static void open(ContainerSpec spec) throws IOException {
        Files.writeString(spec.rootfs().resolve("go"), "");
    }

    @Test
    void givenTrue_whenRun_thenItExitsWithCodeZeroAndNoSignal() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        String id = run("true");
        ExitStatus exit = awaitExit(id);
        assertEquals(0, exit.code(), "exit code of true: " + exit);
        assertEquals(0, exit.signal(), "no signal ended true: " + exit);
        assertFalse(exit.oomKilled(), "true was not OOM-killed: " + exit);
        assertTrue(!exit.exitedAt().isBefore(before) && !exit.exitedAt().isAfter(Instant.now().plusSeconds(1)),
                "the exit time must be when it exited: " + exit.exitedAt());
        awaitStatus(id, ContainerState.Status.STOPPED);
        deleteAndCheckNothingLeaks(id);
    }

    @Test
    void givenShExit3_whenRun_thenTheExitCodeIs3() throws Exception {
        String id = run("sh", "-c", "exit 3");
        ExitStatus exit = awaitExit(id);
        assertEquals(3, exit.code(), exit.toString());
        assertEquals(0, exit.signal(), exit.toString());
        deleteAndCheckNothingLeaks(id);
    }

    @Test
    void givenAProgramThatWritesToBothStreams_whenItHasRun_thenTheLogHasOneK8sFileLinePerLine() throws Exception {
        ContainerSpec spec = bundle(newContainerId()).args("sh", "-c", "echo out1; echo err1 >&2; echo out2").build();
        create(spec);
        extension.start(spec.id());
        awaitExit(spec.id());
        List<String> lines = Files.readAllLines(spec.logPath());
        String time = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?(Z|[+-]\\d\\d:\\d\\d)";
        for (String line : lines) {
            assertTrue(line.matches(time + " (stdout|stderr) [FP] .*"), "not a k8s-file log line: \"" + line + "\"");
        }
        List<String> stdout = lines.stream().filter(l -> l.contains(" stdout ")).map(l -> l.substring(l.indexOf(" stdout F ") + 10)).toList();
        List<String> stderr = lines.stream().filter(l -> l.contains(" stderr ")).map(l -> l.substring(l.indexOf(" stderr F ") + 10)).toList();
        assertEquals(List.of("out1", "out2"), stdout, "stdout lines in " + lines);
        assertEquals(List.of("err1"), stderr, "stderr lines in " + lines);
        deleteAndCheckNothingLeaks(spec.id());
    }

    @Test
    void givenACreatedContainer_whenStartedAndItsProgramEnds_thenItGoesCreatedRunningStopped() throws Exception {
        ContainerSpec spec = bundle(newContainerId()).args(gated(0)).build();
        create(spec);
        ContainerState created = extension.state(spec.id()).orElseThrow();
        assertEquals(ContainerState.Status.CREATED, created.status(), "after create: " + created);
        assertTrue(created.pid() > 0, "a created container has a process: " + created);
        assertEquals(spec.bundle(), created.bundle(), "state names the bundle");
        assertEquals(created.pid(), extension.pid(spec.id()), "pid() is the created process's pid");
        assertEquals(Optional.empty(), extension.exitStatus(spec.id()), "a created container has no exit status");
        assertTrue(extension.list().contains(spec.id()), "list() must include a created container");

        extension.start(spec.id());
        ContainerState running = extension.state(spec.id()).orElseThrow();
        assertEquals(ContainerState.Status.RUNNING, running.status(), "after start: " + running);
        assertEquals(created.pid(), running.pid(), "start runs the program in the created process");
        ContainerRuntimeException again = assertThrows(ContainerRuntimeException.class, () -> extension.start(spec.id()));
        assertEquals(ContainerRuntimeException.Reason.WRONG_STATE, again.reason(), again.getMessage());

        open(spec);
        ContainerState stopped = awaitStatus(spec.id(), ContainerState.Status.STOPPED);
        assertEquals(0, stopped.pid(), "a stopped container has no pid: " + stopped);
        assertEquals(0, awaitExit(spec.id()).code());
        ContainerRuntimeException kill = assertThrows(ContainerRuntimeException.class, () -> extension.kill(spec.id(), 9));
        assertEquals(ContainerRuntimeException.Reason.WRONG_STATE, kill.reason(), kill.getMessage());
        deleteAndCheckNothingLeaks(spec.id());
    }

    @Test
    void givenACreatedContainerWhoseProcessWasKilled_whenStarted_thenWrongStateComesBackInsteadOfAHang() throws Exception {
        ContainerSpec spec = bundle(newContainerId()).args(gated(0)).build();
        create(spec);
        long pid = extension.pid(spec.id());
        assertTrue(pid > 0, "a created container has a process");
        ProcessHandle init = ProcessHandle.of(pid).orElseThrow();
        assertTrue(init.destroyForcibly(), "SIGKILL to the created process " + pid);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            sleep(10);
        }
        CompletableFuture<ContainerRuntimeException> start = CompletableFuture.supplyAsync(() -> {
            try {
                extension.start(spec.id());
                return null;
            } catch (ContainerRuntimeException e) {
                return e;
            }
        });
        ContainerRuntimeException e = start.get(10, TimeUnit.SECONDS);
        assertTrue(e != null, "starting a created container whose process is dead must fail");
        assertEquals(ContainerRuntimeException.Reason.WRONG_STATE, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(spec.id()), "the message names the container: " + e.getMessage());
        extension.delete(spec.id(), true);
        assertEquals(List.of(), leaksOf(spec.id()), "delete(force) after a failed start");
    }

    @Test
    void givenARunningContainer_whenKilledWithSigkill_thenTheExitCodeIs137AndTheSignal9() throws Exception {
        String id = run("sleep", "60");
        awaitStatus(id, ContainerState.Status.RUNNING);
        extension.kill(id, 9);
        ExitStatus exit = awaitExit(id);
        assertEquals(137, exit.code(), exit.toString());
        assertEquals(9, exit.signal(), exit.toString());
        assertFalse(exit.oomKilled(), exit.toString());
        deleteAndCheckNothingLeaks(id);
    }

    @Test
    void givenAProgramThatDoesNotHandleSigterm_whenSentSigterm_thenTheExitCodeIs143AndTheSignal15() throws Exception {
        // without a pid namespace the program is no namespace's init, so SIGTERM's default action applies
        ContainerSpec spec = bundle(newContainerId()).pidNamespace(false).args("sleep", "60").build();
        create(spec);
        extension.start(spec.id());
        extension.kill(spec.id(), 15);
        ExitStatus exit = awaitExit(spec.id());
        assertEquals(143, exit.code(), exit.toString());
        assertEquals(15, exit.signal(), exit.toString());
        deleteAndCheckNothingLeaks(spec.id());
    }

    @Test
    void givenARunningContainer_whenDeletedWithoutForce_thenWrongStateAndWithForceEverythingIsGone() throws Exception {
        String id = run("sleep", "60");
        ContainerRuntimeException e = assertThrows(ContainerRuntimeException.class, () -> extension.delete(id, false));
        assertEquals(ContainerRuntimeException.Reason.WRONG_STATE, e.reason(), e.getMessage());
        assertEquals(ContainerState.Status.RUNNING, extension.state(id).orElseThrow().status(), "a refused delete leaves it running");
        extension.delete(id, true);
        assertEquals(Optional.empty(), extension.state(id));
        assertFalse(extension.list().contains(id), "list() after delete");
        assertEquals(List.of(), leaksOf(id), "delete(force) of a running container");
        extension.delete(id, true);
    }

    @Test
    void givenUnknownIds_whenOperatedOn_thenNotFoundOrNothing() throws Exception {
        requireUsable();
        String id = newContainerId();
        assertEquals(Optional.empty(), extension.state(id));
        assertEquals(Optional.empty(), extension.exitStatus(id));
        assertEquals(0L, extension.pid(id), "an unknown container has no pid");
        for (var operation : List.<ThrowingOperation>of(() -> extension.start(id), () -> extension.kill(id, 15))) {
            ContainerRuntimeException e = assertThrows(ContainerRuntimeException.class, operation::run);
            assertEquals(ContainerRuntimeException.Reason.NOT_FOUND, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains(id), "the message names the container: " + e.getMessage());
        }
        extension.delete(id, false);
    }

    @Test
    void givenAnIdInUse_whenCreatedAgain_thenAlreadyExistsAndTheFirstIsUntouched() throws Exception {
        String id = newContainerId();
        create(bundle(id).args("sleep", "60").build());
        TestBundles.Builder second = TestBundles.busybox(tempDir.resolve("second"), id).args("true");
        ContainerRuntimeException e = assertThrows(ContainerRuntimeException.class, () -> extension.create(second.build()));
        assertEquals(ContainerRuntimeException.Reason.ALREADY_EXISTS, e.reason(), e.getMessage());
        assertEquals(ContainerState.Status.CREATED, extension.state(id).orElseThrow().status());
        extension.delete(id, true);
        assertEquals(List.of(), leaksOf(id));
    }

    @Test
    void givenACommandNotInTheImage_whenCreated_thenNotRunnableWithExitCode127AndTheRuntimesLineAndNothingLeaks() throws Exception {
        requireUsable();
        String id = newContainerId();
        ContainerSpec spec = bundle(id).args("no-such-command").build();
        ContainerRuntimeException e = assertThrows(ContainerRuntimeException.class, () -> extension.create(spec));
        CommandNotRunnableException notRunnable = assertInstanceOf(CommandNotRunnableException.class, e,
                "a missing command must be a CommandNotRunnableException: " + e);
        assertEquals(CommandNotRunnableException.Problem.NOT_FOUND, notRunnable.problem(), e.getMessage());
        assertEquals(127, notRunnable.exitCode());
        assertTrue(e.getMessage().contains("no-such-command") && e.getMessage().contains(id),
                "the message names the command and the container: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertEquals(Optional.empty(), extension.state(id), "a failed create leaves no container");
        assertEquals(List.of(), leaksOf(id), "a failed create leaves nothing behind");
    }

    @Test
    void givenAProgramThatIsNotExecutable_whenCreated_thenNotRunnableWithExitCode126() throws Exception {
        requireUsable();
        String id = newContainerId();
        ContainerSpec spec = bundle(id).args("/bin/data").build();
        Files.writeString(spec.rootfs().resolve("bin/data"), "not a program\n");
        Files.setPosixFilePermissions(spec.rootfs().resolve("bin/data"), PosixFilePermissions.fromString("rw-r--r--"));
        ContainerRuntimeException e = assertThrows(ContainerRuntimeException.class, () -> extension.create(spec));
        CommandNotRunnableException notRunnable = assertInstanceOf(CommandNotRunnableException.class, e, e.toString());
        assertEquals(126, notRunnable.exitCode(), e.getMessage());
        assertEquals(List.of(), leaksOf(id), "a failed create leaves nothing behind");
    }

    /**
     * The optional cgroup operations on a running container: pause freezes it (state PAUSED), resume thaws it, its
     * processes include its first one, a stats sample counts its CPU, memory and pids, and an update's memory limit
     * shows in the next sample. A runtime that does not offer them refuses each with NOT_SUPPORTED naming the
     * operation, and passes.
     */
    @Test
    void givenARunningContainer_whenPausedResumedSampledAndUpdated_thenTheCgroupFollows() throws Exception {
        String id = run("sleep", "60");
        ContainerState running = awaitStatus(id, ContainerState.Status.RUNNING);
        try {
            extension.pause(id);
        } catch (ContainerRuntimeException e) {
            if (e.reason() == ContainerRuntimeException.Reason.NOT_SUPPORTED) {
                assertTrue(e.getMessage().contains("pause"), e.getMessage());
                for (String operation : List.of("resume", "processes", "stats", "update")) {
                    ContainerRuntimeException refused = assertThrows(ContainerRuntimeException.class, () -> {
                        switch (operation) {
                            case "resume" -> extension.resume(id);
                            case "processes" -> extension.processes(id);
                            case "stats" -> extension.stats(id);
                            default -> extension.update(id, new io.berth.spi.runtime.ResourceUpdate(64L << 20, null, null, null,
                                    null, null, null, null, null, null));
                        }
                    });
                    assertEquals(ContainerRuntimeException.Reason.NOT_SUPPORTED, refused.reason(), operation);
                }
                extension.kill(id, 9);
                awaitExit(id);
                deleteAndCheckNothingLeaks(id);
                return;
            }
            throw e;
        }
        awaitStatus(id, ContainerState.Status.PAUSED);
        ContainerRuntimeException twice = assertThrows(ContainerRuntimeException.class, () -> extension.pause(id));
        assertEquals(ContainerRuntimeException.Reason.WRONG_STATE, twice.reason(), twice.getMessage());
        extension.resume(id);
        awaitStatus(id, ContainerState.Status.RUNNING);
        assertTrue(extension.processes(id).contains(running.pid()), "the first process is among the container's: " + extension.processes(id));
        io.berth.spi.runtime.ResourceStats sample = extension.stats(id);
        assertTrue(sample.cpuTotalNanos() > 0, sample.toString());
        assertTrue(sample.memoryUsage() > 0, sample.toString());
        assertEquals(1, sample.pidsCurrent(), sample.toString());
        extension.update(id, new io.berth.spi.runtime.ResourceUpdate(64L << 20, -1L, null, null, null, null, null, null, 50L, null));
        io.berth.spi.runtime.ResourceStats after = extension.stats(id);
        assertEquals(64L << 20, after.memoryLimit(), after.toString());
        assertEquals(50, after.pidsLimit(), after.toString());
        extension.kill(id, 9);
        assertEquals(137, awaitExit(id).code());
        deleteAndCheckNothingLeaks(id);
    }

    @Test
    void givenAMemoryLimit_whenTheProgramAllocatesBeyondIt_thenItIsOomKilledWith137() throws Exception {
        ContainerSpec spec = bundle(newContainerId()).memoryLimit(32L << 20).args("tail", "/dev/zero").build();
        create(spec);
        extension.start(spec.id());
        ExitStatus exit = awaitExit(spec.id());
        assertTrue(exit.oomKilled(), "tail /dev/zero under a 32 MiB limit must be OOM-killed: " + exit);
        assertEquals(137, exit.code(), exit.toString());
        deleteAndCheckNothingLeaks(spec.id());
    }

    @Test
    void givenARunningContainer_whenAProcessIsExeced_thenItsOutputAndExitCodeComeBack() throws Exception {
        String id = run("sleep", "60");
        awaitStatus(id, ContainerState.Status.RUNNING);
        String process = """
                {"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "echo out; echo err >&2; exit 5"],
                 "env": ["PATH=/bin"], "cwd": "/"}""";
        try (ExecHandle exec = extension.exec(id, new ExecSpec("exec-1", process.getBytes(StandardCharsets.UTF_8), false, false))) {
            CompletableFuture<String> out = readAll(exec.stdout());
            CompletableFuture<String> err = readAll(exec.stderr());
            ExitStatus exit = exec.waitFor(WAIT).orElseGet(() -> fail("the exec did not end within " + WAIT));
            assertEquals(5, exit.code(), exit.toString());
            assertEquals("out\n", out.get(10, TimeUnit.SECONDS));
            assertEquals("err\n", err.get(10, TimeUnit.SECONDS));
        }
        assertEquals(ContainerState.Status.RUNNING, extension.state(id).orElseThrow().status(), "an exec leaves the container running");
        extension.delete(id, true);
        assertEquals(List.of(), leaksOf(id));
    }

    @Test
    void givenARunningContainer_whenAProcessIsExecedOnATerminal_thenItsTtyIsAPtyInputReachesItAndItsExitCodeComesBack() throws Exception {
        String id = run("sleep", "60");
        awaitStatus(id, ContainerState.Status.RUNNING);
        String process = """
                {"terminal": true, "user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "read line; tty; stty size; echo got $line; exit 6"],
                 "env": ["PATH=/bin"], "cwd": "/"}""";
        String output;
        ExitStatus exit;
        try (ExecHandle exec = extension.exec(id, new ExecSpec("exec-2", process.getBytes(StandardCharsets.UTF_8), true, true))) {
            CompletableFuture<String> out = readAll(exec.stdout());
            exec.resize(21, 77);
            // the resize reaches the container's terminal asynchronously (runc relays SIGWINCH); a program
            // running stty while it lands can see the ioctl interrupted, so let it land before the input
            Thread.sleep(300);
            exec.stdin().write("hello\n".getBytes(StandardCharsets.UTF_8));
            exec.stdin().flush();
            exit = exec.waitFor(WAIT).orElseGet(() -> fail("the exec did not end within " + WAIT));
            output = out.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertEquals(6, exit.code(), exit + ", output: " + output);
        assertTrue(output.contains("/dev/pts/"), "the exec's tty: " + output);
        assertTrue(output.contains("21 77"), "stty size after resize(21, 77): " + output);
        assertTrue(output.contains("got hello\r\n"), "the input reached the program on its terminal: " + output);
        assertEquals(ContainerState.Status.RUNNING, extension.state(id).orElseThrow().status(), "an exec leaves the container running");
        extension.delete(id, true);
        assertEquals(List.of(), leaksOf(id));
    }

    @Test
    void givenARunningContainer_whenThePluginIsClosedAndANewInstanceStarts_thenItStillRunsAndTheNewInstanceReadsItsExit() throws Exception {
        ContainerSpec spec = bundle(newContainerId()).args(gated(7)).build();
        create(spec);
        extension.start(spec.id());
        extension.close();

        List<String> children = ProcessHandle.current().descendants()
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(spec.id())).orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList();
        assertEquals(List.of(), children, "the monitor must not be a descendant of the daemon, or it dies with it");
        assertFalse(ContainerLeaks.processes(spec.id()).isEmpty(), "the monitor must outlive the plugin instance");

        ContainerRuntime restarted = initialized(context);
        assertTrue(restarted.list().contains(spec.id()), "a new instance must list the running container");
        assertEquals(ContainerState.Status.RUNNING, restarted.state(spec.id()).orElseThrow().status());
        assertEquals(Optional.empty(), restarted.exitStatus(spec.id()));
        open(spec);
        long deadline = System.nanoTime() + WAIT.toNanos();
        Optional<ExitStatus> exit = Optional.empty();
        while (exit.isEmpty() && System.nanoTime() < deadline) {
            sleep(10);
            exit = restarted.exitStatus(spec.id());
        }
        assertEquals(7, exit.orElseGet(() -> fail("no exit status after the gate opened")).code());
        extension = restarted;
        deleteAndCheckNothingLeaks(spec.id());
    }

    @Test
    void givenAContainerWithOpenStdin_whenAttachedBeforeStart_thenInputReachesItAndBothStreamsComeBackApart() throws Exception {
        ContainerSpec spec = bundle(newContainerId()).openStdin(true)
                .args("sh", "-c", "read line; echo got $line; echo oops >&2").build();
        create(spec);
        try (StdioStreams streams = extension.attach(spec.id())) {
            CompletableFuture<String> out = readAll(streams.stdout());
            CompletableFuture<String> err = readAll(streams.stderr());
            extension.start(spec.id());
            streams.stdin().write("hello\n".getBytes(StandardCharsets.UTF_8));
            streams.stdin().flush();
            assertEquals("got hello\n", out.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals("oops\n", err.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        assertEquals(0, awaitExit(spec.id()).code());
        ContainerRuntimeException e = assertThrows(ContainerRuntimeException.class, () -> extension.attach(spec.id()));
        assertEquals(ContainerRuntimeException.Reason.WRONG_STATE, e.reason(), e.getMessage());
        deleteAndCheckNothingLeaks(spec.id());
    }

    @Test
    void givenATerminal_whenAttachedAndResized_thenTheProgramRunsOnAPseudoTerminalOfThatSize() throws Exception {
        ContainerSpec spec = bundle(newContainerId()).terminal(true)
                .args("sh", "-c", "sleep 0.3; tty; stty size").build();
        create(spec);
        String output;
        try (StdioStreams streams = extension.attach(spec.id())) {
            CompletableFuture<String> out = readAll(streams.stdout());
            streams.resize(33, 101);
            extension.start(spec.id());
            output = out.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertTrue(output.contains("/dev/pts/"), "the program's tty: " + output);
        assertTrue(output.contains("33 101"), "stty size after resize(33, 101): " + output);
        assertTrue(output.contains("\r\n"), "a terminal turns \\n into \\r\\n: " + output);
        assertEquals(0, awaitExit(spec.id()).code());
        deleteAndCheckNothingLeaks(spec.id());
    }

    /** An operation that may throw. */
    @FunctionalInterface
    protected interface ThrowingOperation {
        /** Runs it. */
        void run() throws Exception;
    }

    private static CompletableFuture<String> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                in.transferTo(out);
            } catch (IOException e) {
                // what arrived until the stream broke
            }
            return out.toString(StandardCharsets.UTF_8);
        });
    }

    private static String commandLine(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse("?");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
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
