package io.berth.engine.dockerfile;

import java.util.List;
import java.util.Optional;

/**
 * One Dockerfile instruction, typed. Every word is kept as written (unexpanded, quotes included);
 * see the package description for who expands what.
 *
 * <p>{@link #source()} is the instruction's text as written, continuation lines joined with their
 * escapes removed and heredoc bodies left out, e.g. {@code RUN apk add curl}; it is what the image
 * history's {@code created_by} and the build record show.
 */
public sealed interface Instruction {
    /** @return where the instruction starts */
    Location location();

    /** @return the instruction as written (see the interface's description) */
    String source();

    /** @return the instruction's keyword in upper case ({@code RUN}, {@code COPY}, …) */
    default String keyword() {
        return getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT);
    }

    /** {@code FROM [--platform=P] image [AS name]}; {@code image} may be {@code scratch} or another stage's name. */
    record From(Location location, String source, String image, Optional<String> alias,
                Optional<String> platform) implements Instruction {
    }

    /**
     * {@code RUN}. Flags ({@code --mount}, {@code --network}, {@code --security}) are kept by name,
     * values unexpanded, for the builder to accept or refuse.
     */
    record Run(Location location, String source, CommandLine command, List<Flag> flags,
               List<Heredoc> heredocs) implements Instruction {
        public Run {
            flags = List.copyOf(flags);
            heredocs = List.copyOf(heredocs);
        }
    }

    /** {@code CMD}. */
    record Cmd(Location location, String source, CommandLine command) implements Instruction {
    }

    /** {@code ENTRYPOINT}. */
    record Entrypoint(Location location, String source, CommandLine command) implements Instruction {
    }

    /** {@code SHELL ["executable", "parameters"]}; always exec form, at least one word. */
    record Shell(Location location, String source, List<String> shell) implements Instruction {
        public Shell {
            shell = List.copyOf(shell);
        }
    }

    /** {@code LABEL k=v …}. */
    record Label(Location location, String source, List<KeyValue> pairs) implements Instruction {
        public Label {
            pairs = List.copyOf(pairs);
        }
    }

    /** {@code MAINTAINER name} (deprecated; sets the config's author). */
    record Maintainer(Location location, String source, String name) implements Instruction {
    }

    /** {@code EXPOSE 80 443/tcp 8000-8010/udp}; each word unexpanded. */
    record Expose(Location location, String source, List<String> ports) implements Instruction {
        public Expose {
            ports = List.copyOf(ports);
        }
    }

    /** {@code ENV k=v …} or the legacy {@code ENV k v with spaces}. */
    record Env(Location location, String source, List<KeyValue> pairs) implements Instruction {
        public Env {
            pairs = List.copyOf(pairs);
        }
    }

    /**
     * {@code ADD [--chown=] [--chmod=] [--checksum=] [--keep-git-dir] [--link] src… dest}, shell or
     * JSON form; sources may be heredocs (then {@link #heredocs()} holds them).
     */
    record Add(Location location, String source, List<String> sources, String destination,
               List<Flag> flags, List<Heredoc> heredocs) implements Instruction {
        public Add {
            sources = List.copyOf(sources);
            flags = List.copyOf(flags);
            heredocs = List.copyOf(heredocs);
        }
    }

    /** {@code COPY [--from=] [--chown=] [--chmod=] [--link] [--parents] [--exclude=] src… dest}. */
    record Copy(Location location, String source, List<String> sources, String destination,
                List<Flag> flags, List<Heredoc> heredocs) implements Instruction {
        public Copy {
            sources = List.copyOf(sources);
            flags = List.copyOf(flags);
            heredocs = List.copyOf(heredocs);
        }
    }

    /** {@code VOLUME /a /b} or {@code VOLUME ["/a", "/b"]}. */
    record Volume(Location location, String source, List<String> paths) implements Instruction {
        public Volume {
            paths = List.copyOf(paths);
        }
    }

    /** {@code USER name[:group]}. */
    record User(Location location, String source, String user) implements Instruction {
    }

    /** {@code WORKDIR path} (relative paths resolve against the previous WORKDIR). */
    record Workdir(Location location, String source, String path) implements Instruction {
    }

    /** {@code ARG name[=default] …}; defaults unexpanded. */
    record Arg(Location location, String source, List<ArgDeclaration> args) implements Instruction {
        public Arg {
            args = List.copyOf(args);
        }
    }

    /**
     * {@code ONBUILD INSTRUCTION}: {@code trigger} is the parsed instruction (never {@code FROM},
     * {@code ONBUILD} or {@code MAINTAINER}); {@code triggerSource} its text, as stored in the image
     * config's {@code OnBuild}.
     */
    record Onbuild(Location location, String source, Instruction trigger, String triggerSource) implements Instruction {
    }

    /** {@code STOPSIGNAL signal}. */
    record StopSignal(Location location, String source, String signal) implements Instruction {
        @Override
        public String keyword() {
            return "STOPSIGNAL";
        }
    }

    /**
     * {@code HEALTHCHECK [--interval=] [--timeout=] [--start-period=] [--start-interval=] [--retries=] CMD …}
     * or {@code HEALTHCHECK NONE} ({@code command} empty).
     */
    record Healthcheck(Location location, String source, Optional<CommandLine> command,
                       List<Flag> flags) implements Instruction {
        public Healthcheck {
            flags = List.copyOf(flags);
        }
    }

    /**
     * A command in exec form ({@code ["a", "b"]}: {@code words} as JSON-decoded) or shell form
     * ({@code words} is the single string after the keyword, as written; no words at all when nothing
     * follows the keyword, which Docker accepts: {@code CMD} alone gives the config {@code ["/bin/sh","-c"]}).
     */
    record CommandLine(boolean execForm, List<String> words) {
        public CommandLine {
            words = List.copyOf(words);
        }
    }

    /** A {@code --name=value} flag on an instruction; the value unexpanded. */
    record Flag(String name, String value) {
    }

    /** A {@code key=value} pair of {@code ENV} or {@code LABEL}; both unexpanded, quotes kept. */
    record KeyValue(String key, String value) {
    }

    /** One {@code ARG} declaration. */
    record ArgDeclaration(String name, Optional<String> defaultValue) {
    }

    /**
     * A heredoc body: {@code <<EOF} ({@code expand} true, variables expanded when used),
     * {@code <<"EOF"} or {@code <<'EOF'} ({@code expand} false), {@code <<-EOF} ({@code stripTabs}:
     * leading tabs already removed from {@code content}).
     *
     * @param name      the delimiter word without its quotes ({@code EOF} for {@code <<-"EOF"}); the
     *                  instruction's arguments keep the whole word ({@code <<-"EOF"}), which
     *                  {@link DockerfileParser#heredocName(String)} maps to this name
     * @param content   the body, each line ending in a newline
     */
    record Heredoc(String name, String content, boolean expand, boolean stripTabs) {
    }
}
