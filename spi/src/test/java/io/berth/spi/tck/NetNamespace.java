package io.berth.spi.tck;

import io.berth.spi.os.Namespaces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A named network namespace for the network kit, made with {@code ip netns add} (a bind mount
 * under {@code /run/netns}), standing in for a container's. Sockets are opened inside it from a
 * thread that has joined it with {@code setns(2)}, so the kit needs no program inside the
 * namespace to listen or connect; {@code busybox} answers DNS questions from inside it.
 */
public final class NetNamespace implements AutoCloseable {


    private final String name;

    private NetNamespace(String name) {
        this.name = name;
    }

    /**
     * Makes a new namespace named {@code berth-tck-<random>}.
     *
     * @return it
     * @throws IOException if {@code ip netns add} fails
     */
    public static NetNamespace create() throws IOException {
        String name = "berth-tck-" + UUID.randomUUID().toString().substring(0, 8);
        Result r = run(List.of("ip", "netns", "add", name));
        if (r.exitCode() != 0) {
            throw new IOException("ip netns add " + name + " failed: " + r.output().strip());
        }
        return new NetNamespace(name);
    }

    /** @return the namespace's name */
    public String name() {
        return name;
    }

    /** @return the path of its bind mount, what a driver is given */
    public Path path() {
        return Path.of("/run/netns", name);
    }

    /**
     * How a program ended.
     *
     * @param exitCode its exit code
     * @param output   standard output and error together
     */
    public record Result(int exitCode, String output) {
    }

    /**
     * Runs a program inside the namespace ({@code ip netns exec}).
     *
     * @param argv the program and its arguments
     * @return how it ended
     * @throws IOException if it cannot be run or takes over 30 s
     */
    public Result exec(String... argv) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", name));
        command.addAll(List.of(argv));
        return run(command);
    }

    /**
     * Runs {@code ip -n NAME ARGS}.
     *
     * @param args the arguments
     * @return its output
     * @throws IOException if it fails
     */
    public String ip(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(List.of(args));
        Result r = run(command);
        if (r.exitCode() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + r.output().strip());
        }
        return r.output();
    }

    /**
     * Calls {@code action} on a new thread that has joined the namespace, so that sockets it opens
     * live there. The sockets keep working from any thread afterwards.
     *
     * @param action what to do inside
     * @param <T>    what it returns
     * @return what it returned
     * @throws Exception what it threw, or if the namespace cannot be joined
     */
    public <T> T inside(Callable<T> action) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                join(path());
                result.complete(action.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "netns-" + name);
        thread.start();
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    private static void join(Path namespace) throws IOException {
        try {
            Namespaces.join(namespace, Namespaces.CLONE_NEWNET);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "; the kit must run as root", e);
        }
    }

    /** @return whether its bind mount still exists */
    public boolean exists() {
        return Files.exists(path());
    }

    /**
     * Deletes the namespace, as a container's ending would.
     *
     * @throws IOException if {@code ip netns del} fails
     */
    @Override
    public void close() throws IOException {
        if (!exists()) {
            return;
        }
        Result r = run(List.of("ip", "netns", "del", name));
        if (r.exitCode() != 0) {
            throw new IOException("ip netns del " + name + " failed: " + r.output().strip());
        }
    }

    static Result run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within 30 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Result(p.exitValue(), out.join());
    }
}
