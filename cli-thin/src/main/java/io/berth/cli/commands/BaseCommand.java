package io.berth.cli.commands;

import io.berth.cli.BerthCommand;
import io.berth.cli.CliException;
import io.berth.cli.ExitCodes;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

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
    protected final BerthCommand root;
    /** This command's picocli model. */
    protected final CommandSpec spec;

    /** A command named {@code name}; subclasses add their options in their constructor. */
    protected BaseCommand(BerthCommand root, String name, String description) {
        this.root = root;
        this.spec = CommandSpec.wrapWithoutInspection(this).name(name);
        spec.usageMessage().description(description).sortOptions(false);
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Print usage").build());
    }

    /** This command's model, to be added to its parent. */
    public CommandSpec spec() {
        return spec;
    }

    /** Adds an option taking one value. */
    protected final OptionSpec option(String paramLabel, String description, String... names) {
        OptionSpec o = OptionSpec.builder(names).paramLabel(paramLabel).type(String.class).description(description).build();
        spec.addOption(o);
        return o;
    }

    /** Adds an on/off option. */
    protected final OptionSpec flag(String description, String... names) {
        OptionSpec o = OptionSpec.builder(names).type(boolean.class).arity("0").description(description).build();
        spec.addOption(o);
        return o;
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
