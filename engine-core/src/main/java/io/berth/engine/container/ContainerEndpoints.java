package io.berth.engine.container;

import io.berth.engine.api.Hijack;
import io.berth.engine.history.TimeTravel;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.api.ApiExchange;
import java.io.IOException;

/**
 * Docker's container, exec and volume endpoints, as the daemon's routes name them. Each group lives in its own
 * class — {@link ContainerLifecycleEndpoints}, {@link ContainerInspectEndpoints}, {@link ContainerStreamEndpoints},
 * {@link ContainerFileEndpoints}, {@link ExecEndpoints}, {@link VolumeEndpoints} — and this class only wires them and
 * hands each route to its group, so the route table stays one list.
 */
public final class ContainerEndpoints {
    private final ContainerApiSupport.Wiring wiring;
    private final ContainerLifecycleEndpoints lifecycle;
    private final ContainerInspectEndpoints inspection;
    private final ContainerStreamEndpoints streams;
    private final ContainerFileEndpoints files;
    private final ExecEndpoints execEndpoints;
    private final VolumeEndpoints volumeEndpoints;

    public ContainerEndpoints(ContainerService containers, VolumeService volumes, ObjectMapper mapper) {
        this.wiring = new ContainerApiSupport.Wiring(containers, volumes, mapper);
        this.lifecycle = new ContainerLifecycleEndpoints(wiring);
        this.inspection = new ContainerInspectEndpoints(wiring);
        this.streams = new ContainerStreamEndpoints(wiring);
        this.files = new ContainerFileEndpoints(wiring);
        this.execEndpoints = new ExecEndpoints(wiring);
        this.volumeEndpoints = new VolumeEndpoints(wiring);
    }

    /** Lets list and inspect answer for a past moment ({@code ?at=}). */
    public ContainerEndpoints withHistory(TimeTravel history) {
        wiring.history = history;
        return this;
    }

    /** Serves {@code POST /commit} through {@code commits}. */
    public ContainerEndpoints withCommits(ContainerCommit commits) {
        wiring.commits = commits;
        return this;
    }

    /** Serves pause, unpause, update, stats and top through {@code resources}. */
    public ContainerEndpoints withResources(ContainerResources resources) {
        wiring.resources = resources;
        return this;
    }

    /** Serves exec requests through {@code execs}. */
    public ContainerEndpoints withExecs(ExecService execs) {
        wiring.execs = execs;
        return this;
    }

    public void create(ApiExchange exchange) throws IOException {
        lifecycle.create(exchange);
    }

    public void start(ApiExchange exchange) throws IOException {
        lifecycle.start(exchange);
    }

    public void stop(ApiExchange exchange) throws IOException {
        lifecycle.stop(exchange);
    }

    public void kill(ApiExchange exchange) throws IOException {
        lifecycle.kill(exchange);
    }

    public void restart(ApiExchange exchange) throws IOException {
        lifecycle.restart(exchange);
    }

    public void await(ApiExchange exchange) throws IOException {
        lifecycle.await(exchange);
    }

    public void remove(ApiExchange exchange) throws IOException {
        lifecycle.remove(exchange);
    }

    public void rename(ApiExchange exchange) throws IOException {
        lifecycle.rename(exchange);
    }

    public void prune(ApiExchange exchange) throws IOException {
        lifecycle.prune(exchange);
    }

    public void pause(ApiExchange exchange) throws IOException {
        lifecycle.pause(exchange);
    }

    public void unpause(ApiExchange exchange) throws IOException {
        lifecycle.unpause(exchange);
    }

    public void update(ApiExchange exchange) throws IOException {
        lifecycle.update(exchange);
    }

    public void list(ApiExchange exchange) throws IOException {
        inspection.list(exchange);
    }

    public static String statusText(ContainerState.ContainerRecord c) {
        return ContainerInspectEndpoints.statusText(c);
    }

    public static String ago(String time, boolean suffix) {
        return ContainerInspectEndpoints.ago(time, suffix);
    }

    public void inspect(ApiExchange exchange) throws IOException {
        inspection.inspect(exchange);
    }

    public void stats(ApiExchange exchange) throws IOException {
        inspection.stats(exchange);
    }

    public void logs(ApiExchange exchange) throws IOException {
        streams.logs(exchange);
    }

    public void attach(ApiExchange exchange) throws Exception {
        streams.attach(exchange);
    }

    public Hijack attachHijack() {
        return streams.attachHijack();
    }

    public void resize(ApiExchange exchange) throws IOException {
        streams.resize(exchange);
    }

    public void archiveGet(ApiExchange exchange) throws IOException {
        files.archiveGet(exchange);
    }

    public void archivePut(ApiExchange exchange) throws IOException {
        files.archivePut(exchange);
    }

    public void changes(ApiExchange exchange) throws IOException {
        files.changes(exchange);
    }

    public void top(ApiExchange exchange) throws IOException {
        files.top(exchange);
    }

    public void commit(ApiExchange exchange) throws IOException {
        files.commit(exchange);
    }

    public void export(ApiExchange exchange) throws IOException {
        files.export(exchange);
    }

    public void execCreate(ApiExchange exchange) throws IOException {
        execEndpoints.execCreate(exchange);
    }

    public void execStart(ApiExchange exchange) throws IOException {
        execEndpoints.execStart(exchange);
    }

    public Hijack execStartHijack() {
        return execEndpoints.execStartHijack();
    }

    public void execResize(ApiExchange exchange) throws IOException {
        execEndpoints.execResize(exchange);
    }

    public void execInspect(ApiExchange exchange) throws IOException {
        execEndpoints.execInspect(exchange);
    }

    public void volumeCreate(ApiExchange exchange) throws IOException {
        volumeEndpoints.volumeCreate(exchange);
    }

    public void volumeList(ApiExchange exchange) throws IOException {
        volumeEndpoints.volumeList(exchange);
    }

    public void volumeInspect(ApiExchange exchange) throws IOException {
        volumeEndpoints.volumeInspect(exchange);
    }

    public void volumeRemove(ApiExchange exchange) throws IOException {
        volumeEndpoints.volumeRemove(exchange);
    }

    public void volumePrune(ApiExchange exchange) throws IOException {
        volumeEndpoints.volumePrune(exchange);
    }
}
