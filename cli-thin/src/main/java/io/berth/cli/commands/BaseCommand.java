package io.berth.cli.commands;

import io.berth.cli.args.TimeArg;
import io.berth.cli.exit.CliException;
import io.berth.cli.exit.ExitCodes;
import io.berth.cli.api.ApiException;
import io.berth.cli.api.BerthApi;
import io.berth.text.json.Json;
import io.berth.text.format.GoTemplate;
import io.berth.text.format.ListFormat;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * What every command shares: its picocli model, built in code, and the root command's options and streams.
 *
 * <p>The model is built with picocli's programmatic API ({@link CommandSpec#wrapWithoutInspection}) rather
 * than annotations: reading annotations makes the JDK generate a proxy class per annotation type at run
 * time, which no AOT cache holds, and that cost tens of milliseconds of every command's start-up.
 */
public abstract class BaseCommand implements Callable<Integer> {
    /** The root command: global options, environment, output streams, the API client. */
    protected final CommandContext root;
    /** This command's picocli model. */
    protected final CommandSpec spec;

    /** A command named {@code name}; subclasses add their options in their constructor. */
    protected BaseCommand(CommandContext root, String name, String description) {
        this(root, name, description, true);
    }

    /**
     * @param shortHelp whether {@code -h} means {@code --help}; not for {@code run} and {@code create}, where
     *                  it is {@code --hostname}, as with Docker
     */
    protected BaseCommand(CommandContext root, String name, String description, boolean shortHelp) {
        this.root = root;
        this.spec = CommandSpec.wrapWithoutInspection(this).name(name);
        spec.usageMessage().description(description).sortOptions(false);
        spec.addOption((shortHelp ? OptionSpec.builder("-h", "--help") : OptionSpec.builder("--help")).usageHelp(true)
                .description("Print usage").build());
    }

    /** This command's model, to be added to its parent. */
    public CommandSpec spec() {
        return spec;
    }

    /**
     * The exit code when the daemon answers with an error: 1 for the image commands, as Docker's CLI
     * exits 1 for {@code Error response from daemon}; the older commands keep 125 (see README).
     */
    public int daemonErrorExitCode() {
        return ExitCodes.ENGINE;
    }

    /**
     * Sets the usage line shown by {@code --help} and by argument-count errors, e.g.
     * {@code "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]"} for {@code berth tag}.
     */
    protected final void synopsis(String arguments) {
        this.arguments = arguments;
    }

    /**
     * Sets the usage line once the command sits in its tree (its full name, {@code berth image ls}, is known
     * only then); {@link io.berth.cli.Main} calls it for every command built.
     */
    public final void applySynopsis() {
        if (!arguments.isEmpty()) {
            spec.usageMessage().customSynopsis((spec.qualifiedName() + " " + arguments).replace("%", "%%"));
        }
    }

    private String arguments = "";

    /**
     * Adds the positional arguments, as a list of any length: their count is checked in {@link #call} by
     * {@link #requireArgs}, so that a wrong count gets Docker's message and exit code rather than
     * picocli's usage error.
     */
    protected final PositionalParamSpec arguments(String label) {
        PositionalParamSpec p = PositionalParamSpec.builder().paramLabel(label).arity("0..*").hidden(true).type(List.class)
                .auxiliaryTypes(String.class).build();
        spec.addPositional(p);
        return p;
    }

    /** The positional arguments given, never {@code null}. */
    protected static List<String> values(PositionalParamSpec p) {
        List<String> v = p.getValue();
        return v == null ? List.of() : v;
    }

    /**
     * Checks the number of arguments as Docker's CLI does, with its message and exit code 1:
     * {@code berth: 'berth tag' requires 2 arguments}, a blank line, the usage line, a blank line and
     * {@code See 'berth tag --help'.}.
     *
     * @param max the most arguments allowed, or -1 for no limit
     */
    protected final List<String> requireArgs(PositionalParamSpec p, int min, int max) {
        List<String> v = values(p);
        if (v.size() >= min && (max < 0 || v.size() <= max)) {
            return v;
        }
        String name = spec.qualifiedName();
        String what;
        if (min == max) {
            what = "requires " + (min == 0 ? "no" : Integer.toString(min)) + " argument" + (min == 1 ? "" : "s");
        } else if (v.size() < min) {
            what = "requires at least " + min + " argument" + (min == 1 ? "" : "s");
        } else {
            what = "requires at most " + max + " argument" + (max == 1 ? "" : "s");
        }
        throw new CliException(ExitCodes.FAILED, "berth: '" + name + "' " + what + "\n\nUsage:  " + name + " "
                + arguments + "\n\nSee '" + name + " --help'.");
    }

    /** Adds an option taking one value. */
    protected final OptionSpec option(String paramLabel, String description, String... names) {
        OptionSpec o = OptionSpec.builder(names).paramLabel(paramLabel).type(String.class).description(description).build();
        spec.addOption(o);
        return o;
    }

    /** Adds a repeatable option taking one value each time. */
    protected final OptionSpec multi(String paramLabel, String description, String... names) {
        OptionSpec o = OptionSpec.builder(names).paramLabel(paramLabel).type(List.class).auxiliaryTypes(String.class)
                .description(description).build();
        spec.addOption(o);
        return o;
    }

    /** The values of a repeatable option, never {@code null}. */
    protected static List<String> strings(OptionSpec o) {
        List<String> v = o.getValue();
        return v == null ? List.of() : v;
    }

    /** Adds an on/off option. */
    protected final OptionSpec flag(String description, String... names) {
        OptionSpec o = OptionSpec.builder(names).type(boolean.class).arity("0").description(description).build();
        spec.addOption(o);
        return o;
    }

    /** Adds {@code --at TIME}: show the state as it was then (time travel; berth's own option). */
    protected final OptionSpec atOption() {
        return option("TIME", "Show the state as it was at TIME (RFC 3339, Unix seconds, a duration such as 10m, or seq:N)", "--at");
    }

    /**
     * {@code inspect} of named objects, as Docker's CLI prints them: one indented JSON array of those found,
     * then a line on stderr per name not found, and exit 1 if any was missing.
     *
     * @param collection the API path of the collection, with slashes ({@code /volumes/})
     * @param noun       what an object is called in the not-found line ({@code volume})
     * @param at         the {@code --at} option, or {@code null}
     */
    protected int inspectEach(List<String> names, String collection, String noun, OptionSpec at) throws IOException {
        ByteArrayOutputStream array = new ByteArrayOutputStream();
        array.write('[');
        List<String> errors = new ArrayList<>();
        int found = 0;
        for (String name : names) {
            try {
                byte[] raw = root.api().getRaw(withAt(collection + BerthApi.pathSegment(name), at));
                if (found++ > 0) {
                    array.write(',');
                }
                array.write(raw);
            } catch (ApiException e) {
                errors.add(e.status() == 404 ? "Error: No such " + noun + ": " + name : "Error response from daemon: " + e.getMessage());
            }
        }
        array.write(']');
        root.out().println(Json.indent(array.toByteArray(), "    "));
        if (errors.isEmpty()) {
            return 0;
        }
        root.out().flush();
        for (String e : errors) {
            root.err().println(e);
        }
        return ExitCodes.FAILED;
    }

    /**
     * The request target with the {@code at} query parameter for {@code --at}, or the target unchanged
     * when the option was not given.
     *
     * @throws CliException a malformed time (exit 125, one line)
     */
    protected static String withAt(String target, OptionSpec at) {
        return withAt(target, at == null ? null : string(at));
    }

    /** {@link #withAt(String, OptionSpec)} for the option's value, {@code null} when it was not given. */
    protected static String withAt(String target, String value) {
        if (value == null) {
            return target;
        }
        String api;
        try {
            api = TimeArg.toApi("--at", value, java.time.Instant.now());
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.ENGINE, e.getMessage());
        }
        return target + (target.indexOf('?') < 0 ? '?' : '&') + "at="
                + java.net.URLEncoder.encode(api, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Adds {@code --format json} (Docker's option; berth accepts only {@code json}). */
    protected final OptionSpec formatOption(String description, String... names) {
        return option("json", description, names.length == 0 ? new String[] {"--format"} : names);
    }

    /** An option's value, or {@code null} if it was not given. */
    protected static String string(OptionSpec o) {
        Object v = o.getValue();
        return v == null ? null : v.toString();
    }

    /** Whether an on/off option was given. */
    protected static boolean isSet(OptionSpec o) {
        return Boolean.TRUE.equals(o.getValue());
    }

    /**
     * For commands that print a table by default: {@code --format table} (or none) is the table,
     * {@code json} one JSON object per line; anything else is refused in one line.
     */
    protected static boolean tableOrJson(OptionSpec format) {
        String f = string(format);
        if (f == null || f.equals("table")) {
            return false;
        }
        if (f.equals("json") || f.equals("{{json .}}")) {
            return true;
        }
        throw new CliException(ExitCodes.ENGINE, "invalid value for --format: \"" + f
                + "\": berth supports --format table and --format json");
    }

    /**
     * A list command's {@code --format}: its table, {@code json}, or a Go template as Docker's CLI takes it;
     * a template that cannot be read is Docker's one-line {@code template parsing error}.
     */
    protected static ListFormat listFormat(OptionSpec format) {
        return listFormat(string(format));
    }

    /** {@link #listFormat(OptionSpec)} for the option's value, {@code null} when it was not given. */
    protected static ListFormat listFormat(String format) {
        try {
            return ListFormat.parse(format);
        } catch (GoTemplate.TemplateException e) {
            throw new CliException(ExitCodes.ENGINE, "template parsing error: " + e.getMessage());
        }
    }

    /** Prints rows through a template {@code --format}; a step of it that fails is one line, as Docker's. */
    protected static void printRows(java.io.PrintStream out, ListFormat shape, List<java.util.Map<String, Object>> rows,
                                    java.util.Map<String, Object> headers) {
        try {
            shape.print(out, rows, headers);
        } catch (GoTemplate.TemplateException e) {
            throw new CliException(ExitCodes.ENGINE, e.getMessage());
        }
    }

    /**
     * An inspect-like command's {@code --format}: {@code null} for the JSON (no option, or {@code json}), else
     * the Go template, read leniently (a field the object lacks prints {@code <no value>}).
     */
    protected static GoTemplate inspectTemplate(OptionSpec format) {
        return inspectTemplate(string(format));
    }

    /** {@link #inspectTemplate(OptionSpec)} for the option's value, {@code null} when it was not given. */
    protected static GoTemplate inspectTemplate(String f) {
        if (f == null || f.isEmpty() || f.equals("json") || f.equals("{{json .}}")) {
            return null;
        }
        try {
            return GoTemplate.parse(f, false);
        } catch (GoTemplate.TemplateException e) {
            throw new CliException(ExitCodes.ENGINE, "template parsing error: " + e.getMessage());
        }
    }

    /** Runs an inspect-like template; a step of it that fails is Docker's one-line {@code template parsing error}. */
    protected static String execute(GoTemplate template, Object data) {
        try {
            return template.execute(data);
        } catch (GoTemplate.TemplateException e) {
            throw new CliException(ExitCodes.ENGINE, "template parsing error: " + e.getMessage());
        }
    }

    /**
     * Whether {@code --format json} was asked for; absent means the readable form. Docker takes Go
     * templates here; berth only {@code json}, and says so rather than ignoring a template.
     */
    protected static boolean json(OptionSpec format) {
        String f = string(format);
        if (f == null || f.isEmpty()) {
            return false;
        }
        if (f.equals("json") || f.equals("{{json .}}")) {
            return true;
        }
        throw new CliException(ExitCodes.ENGINE, "invalid value for --format: \"" + f
                + "\": berth supports only --format json");
    }
}
