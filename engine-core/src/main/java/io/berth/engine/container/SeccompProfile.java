package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A seccomp profile before it meets a container: a default action, the seccomp architectures per
 * host architecture, and rules that each give one syscall an action when their conditions hold
 * (argument comparisons, capabilities present or absent, host architecture, kernel version).
 * {@link #toOci} evaluates the conditions for one container and writes the OCI runtime spec's
 * {@code linux.seccomp}, which is what Docker does with its profile at every container start.
 *
 * <p>Two sources: berth's default ({@link #defaults()}, the resource {@code seccomp-default.txt},
 * the facts of Docker's default profile, one line each) and a profile in Docker's JSON format
 * ({@link #parseDocker}, what {@code --security-opt seccomp=FILE} sends).
 *
 * @param defaultAction what a syscall no rule names gets
 * @param architectures Go architecture name ({@code amd64}) to the seccomp architectures filtered there
 * @param rules         the rules, in the profile's order
 * @param flags         OCI seccomp flags passed through from a Docker profile (none in the default)
 */
public record SeccompProfile(Action defaultAction, Map<String, List<String>> architectures, List<Rule> rules, List<String> flags) {

    /** Actions the OCI runtime spec names ({@code SCMP_ACT_*}); {@code errno} carries its errno. */
    public record Action(String name, Integer errno) {
        static final Set<String> KNOWN = Set.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
                "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_TRACE", "SCMP_ACT_LOG");

        static final Action ALLOW = new Action("SCMP_ACT_ALLOW", null);
    }

    /** One comparison of a syscall argument ({@code op} is an OCI {@code SCMP_CMP_*} name). */
    public record Arg(int index, long value, long valueTwo, String op) {}

    /**
     * What must hold for a rule to apply. Empty lists and 0 mean "no condition".
     *
     * @param caps       every one of these capabilities is in the bounding set
     * @param notCaps    none of these is
     * @param arches     the host architecture is one of these
     * @param notArches  it is none of these
     * @param minKernel  the kernel is at least this ({@code major * 1000 + minor}), 0 for any
     */
    public record Conditions(List<String> caps, List<String> notCaps, List<String> arches, List<String> notArches, int minKernel) {
        static final Conditions NONE = new Conditions(List.of(), List.of(), List.of(), List.of(), 0);

        boolean hold(Set<String> capabilities, String arch, int kernel) {
            return capabilities.containsAll(caps) && notCaps.stream().noneMatch(capabilities::contains)
                    && (arches.isEmpty() || arches.contains(arch)) && !notArches.contains(arch)
                    && (minKernel == 0 || kernel >= minKernel);
        }
    }

    /** A syscall's action under conditions. */
    public record Rule(String syscall, Action action, List<Arg> args, Conditions when) {}

    private static final String RESOURCE = "seccomp-default.txt";
    private static volatile SeccompProfile defaults;

    /** Docker's default profile, from berth's resource (read once). */
    public static SeccompProfile defaults() {
        SeccompProfile profile = defaults;
        if (profile == null) {
            try (InputStream in = SeccompProfile.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the resource " + RESOURCE + " is missing from berth's engine");
                }
                profile = parseFacts(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            defaults = profile;
        }
        return profile;
    }

    // ---- berth's facts format (see the resource's header)

    private static final Pattern ARG = Pattern.compile("arg([0-5])(?:&(\\d+))?(==|!=|<=|>=|<|>)(\\d+)");

    /**
     * Reads berth's line format.
     *
     * @param where named in errors ({@code file:line: …})
     * @throws IllegalArgumentException naming the line and what is wrong with it
     */
    public static SeccompProfile parseFacts(String text, String where) {
        Action defaultAction = null;
        Map<String, List<String>> arches = new LinkedHashMap<>();
        List<Rule> rules = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String at = where + ":" + (i + 1) + ": ";
            String[] words = line.split("\\s+");
            if (words[0].equals("default")) {
                if (words.length != 2) {
                    throw new IllegalArgumentException(at + "\"default\" takes one action");
                }
                defaultAction = factAction(words[1], at);
            } else if (words[0].equals("arch")) {
                if (words.length < 3) {
                    throw new IllegalArgumentException(at + "\"arch\" takes an architecture and its seccomp names");
                }
                arches.put(words[1], List.of(words).subList(2, words.length));
            } else {
                if (words.length < 2) {
                    throw new IllegalArgumentException(at + "a rule needs an action and a syscall");
                }
                Action action = factAction(words[0], at);
                List<Arg> args = new ArrayList<>();
                List<String> caps = List.of(), notCaps = List.of(), onArches = List.of(), notArches = List.of();
                int kernel = 0;
                for (int w = 2; w < words.length; w++) {
                    String c = words[w];
                    Matcher arg = ARG.matcher(c);
                    if (arg.matches()) {
                        args.add(factArg(arg, at));
                    } else if (c.startsWith("cap=")) {
                        caps = List.of(c.substring(4).split(","));
                    } else if (c.startsWith("nocap=")) {
                        notCaps = List.of(c.substring(6).split(","));
                    } else if (c.startsWith("arch=")) {
                        onArches = List.of(c.substring(5).split(","));
                    } else if (c.startsWith("noarch=")) {
                        notArches = List.of(c.substring(7).split(","));
                    } else if (c.startsWith("kernel>=")) {
                        kernel = kernelVersion(c.substring(8));
                        if (kernel == 0) {
                            throw new IllegalArgumentException(at + "bad kernel version \"" + c.substring(8) + "\"");
                        }
                    } else {
                        throw new IllegalArgumentException(at + "unknown condition \"" + c + "\"");
                    }
                }
                rules.add(new Rule(words[1], action, List.copyOf(args), new Conditions(caps, notCaps, onArches, notArches, kernel)));
            }
        }
        if (defaultAction == null) {
            throw new IllegalArgumentException(where + ": no \"default\" action");
        }
        return new SeccompProfile(defaultAction, Map.copyOf(arches), List.copyOf(rules), List.of());
    }

    private static Action factAction(String word, String at) {
        return switch (word) {
            case "allow" -> Action.ALLOW;
            case "kill" -> new Action("SCMP_ACT_KILL", null);
            case "trap" -> new Action("SCMP_ACT_TRAP", null);
            case "log" -> new Action("SCMP_ACT_LOG", null);
            default -> {
                if (word.startsWith("errno=")) {
                    try {
                        yield new Action("SCMP_ACT_ERRNO", Integer.parseInt(word.substring(6)));
                    } catch (NumberFormatException e) {
                        // reported below
                    }
                }
                throw new IllegalArgumentException(at + "unknown action \"" + word + "\" (allow, errno=N, kill, trap, log)");
            }
        };
    }

    private static Arg factArg(Matcher m, String at) {
        int index = Integer.parseInt(m.group(1));
        long value = Long.parseUnsignedLong(m.group(4));
        if (m.group(2) != null) {
            if (!m.group(3).equals("==")) {
                throw new IllegalArgumentException(at + "a masked comparison must be ==");
            }
            return new Arg(index, Long.parseUnsignedLong(m.group(2)), value, "SCMP_CMP_MASKED_EQ");
        }
        String op = switch (m.group(3)) {
            case "==" -> "SCMP_CMP_EQ";
            case "!=" -> "SCMP_CMP_NE";
            case "<" -> "SCMP_CMP_LT";
            case "<=" -> "SCMP_CMP_LE";
            case ">" -> "SCMP_CMP_GT";
            default -> "SCMP_CMP_GE";
        };
        return new Arg(index, value, 0, op);
    }

    // ---- Docker's JSON format

    private static final Set<String> OPS = Set.of("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
            "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");

    /**
     * Reads a profile in Docker's format: {@code defaultAction}, {@code defaultErrnoRet},
     * {@code archMap} (or the older {@code architectures}), {@code syscalls} with {@code names}
     * (or {@code name}), {@code action}, {@code errnoRet}, {@code args}, {@code includes} and
     * {@code excludes} ({@code caps}, {@code arches}, {@code minKernel}), and {@code flags}.
     *
     * @throws IllegalArgumentException one line naming the field at fault
     */
    public static SeccompProfile parseDocker(String json, ObjectMapper mapper) {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the seccomp profile is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the seccomp profile must be a JSON object");
        }
        Action defaultAction = dockerAction(root.path("defaultAction").asText(""), root.get("defaultErrnoRet"), "defaultAction");
        Map<String, List<String>> arches = new LinkedHashMap<>();
        for (JsonNode entry : root.path("archMap")) {
            String arch = entry.path("architecture").asText("");
            List<String> names = new ArrayList<>(List.of(arch));
            entry.path("subArchitectures").forEach(s -> names.add(s.asText()));
            String go = GO_ARCH.get(arch);
            if (go != null) {
                arches.put(go, List.copyOf(names));
            }
        }
        if (arches.isEmpty() && root.path("architectures").isArray() && !root.path("architectures").isEmpty()) {
            // the older form: one list, used on every host
            List<String> names = new ArrayList<>();
            root.path("architectures").forEach(a -> names.add(a.asText()));
            arches.put("*", List.copyOf(names));
        }
        List<Rule> rules = new ArrayList<>();
        int n = 0;
        for (JsonNode call : root.path("syscalls")) {
            String at = "syscalls[" + n++ + "]";
            Action action = dockerAction(call.path("action").asText(""), call.get("errnoRet"), at + ".action");
            List<Arg> args = new ArrayList<>();
            for (JsonNode a : call.path("args")) {
                String op = a.path("op").asText("");
                if (!OPS.contains(op)) {
                    throw new IllegalArgumentException("the seccomp profile's " + at + " has an unknown op \"" + op + "\"");
                }
                args.add(new Arg(a.path("index").asInt(), a.path("value").asLong(), a.path("valueTwo").asLong(), op));
            }
            JsonNode in = call.path("includes");
            JsonNode ex = call.path("excludes");
            Conditions when = new Conditions(texts(in.path("caps")), texts(ex.path("caps")), goArches(in.path("arches")),
                    goArches(ex.path("arches")), kernelVersion(in.path("minKernel").asText("")));
            List<String> names = texts(call.path("names"));
            if (names.isEmpty() && call.hasNonNull("name")) {
                names = List.of(call.get("name").asText());
            }
            if (names.isEmpty()) {
                throw new IllegalArgumentException("the seccomp profile's " + at + " names no syscall");
            }
            for (String name : names) {
                rules.add(new Rule(name, action, List.copyOf(args), when));
            }
        }
        return new SeccompProfile(defaultAction, Map.copyOf(arches), List.copyOf(rules), texts(root.path("flags")));
    }

    /** Docker's seccomp architecture names to Go's, which its profiles' {@code arches} conditions use. */
    private static final Map<String, String> GO_ARCH = Map.ofEntries(Map.entry("SCMP_ARCH_X86_64", "amd64"),
            Map.entry("SCMP_ARCH_X86", "x86"), Map.entry("SCMP_ARCH_X32", "x32"), Map.entry("SCMP_ARCH_AARCH64", "arm64"),
            Map.entry("SCMP_ARCH_ARM", "arm"), Map.entry("SCMP_ARCH_MIPS64", "mips64"), Map.entry("SCMP_ARCH_MIPSEL64", "mips64le"),
            Map.entry("SCMP_ARCH_MIPS64N32", "mips64n32"), Map.entry("SCMP_ARCH_MIPSEL64N32", "mips64n32le"),
            Map.entry("SCMP_ARCH_S390X", "s390x"), Map.entry("SCMP_ARCH_S390", "s390"), Map.entry("SCMP_ARCH_RISCV64", "riscv64"),
            Map.entry("SCMP_ARCH_PPC64LE", "ppc64le"));

    private static List<String> goArches(JsonNode names) {
        List<String> arches = new ArrayList<>();
        for (String a : texts(names)) {
            arches.add(GO_ARCH.getOrDefault(a, a)); // Docker's profiles name arches in Go's words already
        }
        return List.copyOf(arches);
    }

    private static Action dockerAction(String name, JsonNode errno, String where) {
        if (!Action.KNOWN.contains(name)) {
            throw new IllegalArgumentException("the seccomp profile's " + where + " is \"" + name + "\": use one of "
                    + new java.util.TreeSet<>(Action.KNOWN));
        }
        Integer errnoRet = errno != null && errno.isIntegralNumber() ? errno.asInt() : null;
        return new Action(name, errnoRet);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return List.copyOf(out);
    }

    // ---- to the OCI runtime spec

    /** This host's architecture in Go's words, as profiles name it. */
    public static String hostArch() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }

    /** This host's kernel as {@code major * 1000 + minor}. */
    public static int hostKernel() {
        return kernelVersion(System.getProperty("os.version", ""));
    }

    static int kernelVersion(String release) {
        Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release.strip());
        return m.find() ? Integer.parseInt(m.group(1)) * 1000 + Integer.parseInt(m.group(2)) : 0;
    }

    /**
     * The OCI {@code linux.seccomp} object for a container with these capabilities on this host:
     * the rules whose conditions hold, merged by action and argument conditions, in profile order.
     *
     * @param capabilities the container's bounding capabilities
     * @param arch         the host architecture ({@link #hostArch()})
     * @param kernel       the host kernel ({@link #hostKernel()})
     */
    public ObjectNode toOci(ObjectMapper mapper, List<String> capabilities, String arch, int kernel) {
        Set<String> caps = Set.copyOf(capabilities);
        ObjectNode seccomp = mapper.createObjectNode();
        action(seccomp, defaultAction, "defaultAction", "defaultErrnoRet");
        List<String> scmpArches = architectures.getOrDefault(arch, architectures.getOrDefault("*", List.of()));
        if (!scmpArches.isEmpty()) {
            ArrayNode list = seccomp.putArray("architectures");
            scmpArches.forEach(list::add);
        }
        if (!flags.isEmpty()) {
            ArrayNode list = seccomp.putArray("flags");
            flags.forEach(list::add);
        }
        record Key(Action action, List<Arg> args) {}
        Map<Key, Set<String>> groups = new LinkedHashMap<>();
        for (Rule rule : rules) {
            if (rule.when().hold(caps, arch, kernel)) {
                groups.computeIfAbsent(new Key(rule.action(), rule.args()), k -> new LinkedHashSet<>()).add(rule.syscall());
            }
        }
        ArrayNode syscalls = seccomp.putArray("syscalls");
        groups.forEach((key, names) -> {
            ObjectNode entry = syscalls.addObject();
            ArrayNode list = entry.putArray("names");
            names.forEach(list::add);
            action(entry, key.action(), "action", "errnoRet");
            if (!key.args().isEmpty()) {
                ArrayNode args = entry.putArray("args");
                for (Arg a : key.args()) {
                    ObjectNode arg = args.addObject();
                    arg.put("index", a.index());
                    arg.put("value", a.value());
                    if (a.valueTwo() != 0) {
                        arg.put("valueTwo", a.valueTwo());
                    }
                    arg.put("op", a.op());
                }
            }
        });
        return seccomp;
    }

    private static void action(ObjectNode node, Action action, String field, String errnoField) {
        node.put(field, action.name());
        if (action.errno() != null) {
            node.put(errnoField, action.errno());
        }
    }
}
