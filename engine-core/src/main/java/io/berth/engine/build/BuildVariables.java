package io.berth.engine.build;

import io.berth.engine.dockerfile.DockerWordExpander;
import io.berth.engine.dockerfile.DockerfileException;
import io.berth.engine.dockerfile.Instruction;
import io.berth.engine.dockerfile.Location;
import io.berth.engine.dockerfile.WordExpander;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The variables a build's words see, and their expansion: the global ARGs (before the first FROM,
 * visible to FROM lines only), a stage's ENV and ARGs (ENV first), Docker's predefined proxy ARGs,
 * and which {@code --build-arg}s some ARG consumed (the others are warned about at the end).
 */
final class BuildVariables {
    /** Docker's predefined proxy ARGs: usable without an ARG line, kept out of history and cache keys. */
    static final Set<String> PROXY_ARGS = Set.of("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
            "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy");

    private final Map<String, String> buildArgs;
    private final char escape;
    private final WordExpander expander = new DockerWordExpander();
    private final Map<String, String> globalArgs = new LinkedHashMap<>();
    private final Set<String> usedBuildArgs = new HashSet<>();

    /**
     * @param buildArgs the request's {@code --build-arg}s (a null value: named without one)
     * @param escape    the Dockerfile's escape character
     */
    BuildVariables(Map<String, String> buildArgs, char escape) {
        this.buildArgs = buildArgs;
        this.escape = escape;
    }

    /** The ARGs before the first FROM, each seeing the ones declared before it. */
    void declareGlobal(List<Instruction.Arg> args) {
        for (Instruction.Arg arg : args) {
            for (Instruction.ArgDeclaration d : arg.args()) {
                String value = buildArgs.get(d.name());
                if (buildArgs.containsKey(d.name()) && value != null) {
                    usedBuildArgs.add(d.name());
                } else if (d.defaultValue().isPresent()) {
                    value = expand(d.defaultValue().get(), globalArgs::get, arg.location());
                } else {
                    value = null;
                }
                globalArgs.put(d.name(), value);
            }
        }
    }

    /**
     * The values an ARG line gives in a stage: the {@code --build-arg}, else its default (expanded in
     * the stage), else the global ARG of that name. A build-arg used here is no longer "unused".
     */
    Map<String, String> stageArgValues(Instruction.Arg arg, StageState state) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Instruction.ArgDeclaration d : arg.args()) {
            String value;
            if (buildArgs.containsKey(d.name()) && buildArgs.get(d.name()) != null) {
                value = buildArgs.get(d.name());
                usedBuildArgs.add(d.name());
            } else if (d.defaultValue().isPresent()) {
                value = expand(d.defaultValue().get(), state, arg.location());
            } else {
                value = globalArgs.get(d.name());
            }
            values.put(d.name(), value);
        }
        return values;
    }

    /** The proxy build-args a RUN sees without declaring them (not in its history or cache key). */
    Map<String, String> undeclaredProxies(StageState state) {
        Map<String, String> proxies = new TreeMap<>();
        for (String proxy : PROXY_ARGS) {
            String value = buildArgs.get(proxy);
            if (value != null && !state.args.containsKey(proxy)) {
                proxies.put(proxy, value);
            }
        }
        return proxies;
    }

    /** The {@code --build-arg}s no ARG consumed (proxies and {@code SOURCE_DATE_EPOCH} never count). */
    List<String> unusedBuildArgs() {
        List<String> unused = new ArrayList<>();
        for (String name : buildArgs.keySet()) {
            if (!usedBuildArgs.contains(name) && !PROXY_ARGS.contains(name) && !name.equals("SOURCE_DATE_EPOCH")) {
                unused.add(name);
            }
        }
        return unused;
    }

    /** A word of a stage's instruction, expanded. */
    String expand(String word, StageState state, Location location) {
        return expand(word, name -> lookup(state, name), location);
    }

    /** A word of a FROM line (or a stage reference), which sees only the global ARGs and the proxies. */
    String expandGlobal(String word, Location location) {
        return expand(word, name -> {
            if (globalArgs.containsKey(name)) {
                return globalArgs.get(name);
            }
            return PROXY_ARGS.contains(name) ? buildArgs.get(name) : null;
        }, location);
    }

    /** Expands a COPY/ADD heredoc body: variables and escapes, its quotes left alone (they are the file's). */
    String expandHeredoc(String body, StageState state, Location location) {
        try {
            return expander.expandRaw(body, name -> lookup(state, name), location);
        } catch (DockerfileException e) {
            throw new BuildException(e.getMessage());
        }
    }

    /** A text split into words after expansion (EXPOSE). */
    List<String> expandWords(String text, StageState state, Location location) {
        try {
            return expander.expandWords(text, name -> lookup(state, name), escape, location);
        } catch (DockerfileException e) {
            throw new BuildException(e.getMessage());
        }
    }

    private String expand(String word, Function<String, String> lookup, Location location) {
        try {
            return expander.expand(word, lookup, escape, location);
        } catch (DockerfileException e) {
            throw new BuildException(e.getMessage());
        }
    }

    /** A variable as an instruction sees it: ENV first, then the stage's ARGs, then a proxy build-arg. */
    private String lookup(StageState state, String name) {
        String env = state.envValue(name);
        if (env != null) {
            return env;
        }
        if (state.args.containsKey(name)) {
            return state.args.get(name);
        }
        return PROXY_ARGS.contains(name) ? buildArgs.get(name) : null;
    }
}
