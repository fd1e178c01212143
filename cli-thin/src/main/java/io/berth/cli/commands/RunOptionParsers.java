package io.berth.cli.commands;

import io.berth.cli.args.ContainerArgs;
import io.berth.cli.args.MountArgs;
import io.berth.cli.args.PortArgs;

import java.util.List;
import java.util.Map;

/**
 * The parsers of {@code run}'s and {@code create}'s option values, over {@link ContainerArgs}, {@link MountArgs}
 * and {@link PortArgs}: named classes rather than method references or lambdas, which the CLI's start-up would
 * link at run time. {@link RunCommand} turns a parser's {@link IllegalArgumentException} into Docker's flag error.
 */
final class RunOptionParsers {
    private RunOptionParsers() {
    }

    /** A parser of one option value. */
    interface Parser<T> {
        T parse(String value);
    }

    private static Object integer(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("strconv.ParseInt: parsing \"" + s + "\": invalid syntax");
        }
    }

    private static Object longValue(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("strconv.ParseInt: parsing \"" + s + "\": invalid syntax");
        }
    }

    /** The option parsers, as one class with a switch rather than method references (no run-time linkage). */
    static final class P implements Parser<Object> {
        static final int ATTACH = 0, VOLUME = 1, INT = 2, KEY_VALUE = 3, MOUNT = 4, TMPFS = 5, NETWORK = 6, MEMORY = 7,
                CPUS = 8, LONG = 9, RESTART = 10, SYSCTL = 11, SECURITY_OPT = 12, CGROUPNS = 13, DURATION = 14;
        private final int kind;

        P(int kind) {
            this.kind = kind;
        }

        @Override
        public Object parse(String v) {
            return switch (kind) {
                case ATTACH -> ContainerArgs.attachStream(v);
                case VOLUME -> MountArgs.volume(v);
                case INT -> integer(v);
                case KEY_VALUE -> ContainerArgs.keyValue(v);
                case MOUNT -> MountArgs.mount(v);
                case TMPFS -> MountArgs.tmpfs(v);
                case NETWORK -> ContainerArgs.network(v);
                case MEMORY -> ContainerArgs.memoryBytes(v);
                case CPUS -> ContainerArgs.nanoCpus(v);
                case LONG -> longValue(v);
                case RESTART -> ContainerArgs.restartPolicy(v);
                case SECURITY_OPT -> ContainerArgs.securityOpt(v);
                case CGROUPNS -> ContainerArgs.cgroupns(v);
                case DURATION -> ContainerArgs.durationNanos(v);
                default -> ContainerArgs.sysctl(v);
            };
        }
    }

    static final class Publish implements Parser<PortArgs.Published> {
        @Override
        public PortArgs.Published parse(String value) {
            return PortArgs.publish(value);
        }
    }

    static final class Expose implements Parser<List<String>> {
        @Override
        public List<String> parse(String value) {
            return PortArgs.expose(value);
        }
    }

    static final class AddHost implements Parser<String> {
        @Override
        public String parse(String value) {
            return ContainerArgs.addHost(value);
        }
    }

    static final class EnvEntry implements Parser<String> {
        private final Map<String, String> environment;

        EnvEntry(Map<String, String> environment) {
            this.environment = environment;
        }

        @Override
        public String parse(String value) {
            return ContainerArgs.envEntry(value, environment);
        }
    }
}
