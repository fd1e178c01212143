package io.berth.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The answer to "can this extension work on this host, and if not, why not?".
 *
 * <p>A probe is a list of named {@linkplain Check checks}. The extension is usable when every
 * check passed. Each failed check names what is missing (a program, a kernel feature, a
 * filesystem property) and what to do about it, so that {@code berth info} and the daemon log can
 * say it in one line.
 *
 * <p><b>Convention for programs.</b> A check of kind {@link Kind#PROGRAM} is named after the
 * program (for example {@code runc}). The extension also accepts an option of the same name
 * holding the program's path, which then takes precedence over the search of {@code PATH}. The
 * conformance kit relies on this: it points each program option at a path that does not exist and
 * expects the probe to name that program as missing.
 *
 * @param checks what was checked, in the order it was checked; never empty
 */
public record Probe(List<Check> checks) {

    /**
     * What kind of thing a check looked at.
     */
    public enum Kind {
        /** An executable the extension runs, found on {@code PATH} or given by an option. */
        PROGRAM,
        /** A kernel feature, for example a filesystem type listed in {@code /proc/filesystems}. */
        KERNEL,
        /** A property of the filesystem that holds the daemon's data. */
        FILESYSTEM,
        /** A privilege the extension needs, for example running as root. */
        PRIVILEGE,
        /**
         * Whether a component the extension found is safe to run containers with, for example a
         * runtime version without a known container escape. Unlike a missing program, a failed
         * check of this kind stops the daemon from starting: it names the component, the version
         * found and what to install instead.
         */
        SECURITY,
        /** Anything else. */
        OTHER
    }

    /**
     * One thing the probe looked at.
     *
     * @param name   what was checked, for example {@code runc} or {@code overlay mount}; never blank
     * @param kind   what kind of thing it is
     * @param passed whether it is usable
     * @param detail one line: where it was found when passed, what is wrong and what to do when not
     */
    public record Check(String name, Kind kind, boolean passed, String detail) {
        /** Validates the components. */
        public Check {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a probe check needs a name");
            }
            Objects.requireNonNull(kind, "kind");
            detail = detail == null ? "" : detail.strip();
        }

        /**
         * A check that passed.
         *
         * @param name   what was checked
         * @param kind   what kind of thing it is
         * @param detail where it was found, for example a path and a version
         * @return the check
         */
        public static Check passed(String name, Kind kind, String detail) {
            return new Check(name, kind, true, detail);
        }

        /**
         * A check that failed.
         *
         * @param name   what was checked
         * @param kind   what kind of thing it is
         * @param detail what is wrong and what to do about it
         * @return the check
         */
        public static Check failed(String name, Kind kind, String detail) {
            return new Check(name, kind, false, detail);
        }

        /** @return {@code name: detail} */
        @Override
        public String toString() {
            return detail.isEmpty() ? name : name + ": " + detail;
        }
    }

    /** Copies the checks and refuses an empty probe. */
    public Probe {
        checks = List.copyOf(checks);
        if (checks.isEmpty()) {
            throw new IllegalArgumentException("a probe must report at least one check");
        }
    }

    /**
     * A probe made of the given checks.
     *
     * @param checks what was checked
     * @return the probe
     */
    public static Probe of(Check... checks) {
        return new Probe(List.of(checks));
    }

    /** @return whether every check passed */
    public boolean usable() {
        return checks.stream().allMatch(Check::passed);
    }

    /** @return the failed {@link Kind#SECURITY} checks: the daemon refuses to start while there is one */
    public List<Check> unsafe() {
        return checks.stream().filter(c -> !c.passed() && c.kind() == Kind.SECURITY).toList();
    }

    /** @return the failed checks, each as {@code name: detail}; empty when usable */
    public List<String> problems() {
        return checks.stream().filter(c -> !c.passed()).map(Check::toString).toList();
    }

    /** @return the checks by name, each mapped to its detail, in check order */
    public Map<String, String> details() {
        return checks.stream().collect(Collectors.toMap(Check::name, Check::detail, (a, b) -> a + "; " + b,
                java.util.LinkedHashMap::new));
    }

    /** @return one line: {@code usable} or {@code not usable: problem; problem} */
    public String summary() {
        return usable() ? "usable" : "not usable: " + String.join("; ", problems());
    }
}
