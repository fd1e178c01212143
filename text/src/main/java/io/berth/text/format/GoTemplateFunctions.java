package io.berth.text.format;

import io.berth.text.json.Json;

import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The functions a {@link GoTemplate} may call — Go's {@code text/template} built-ins ({@code and}, {@code or},
 * {@code not}, {@code len}, {@code index}, {@code slice}, {@code print}, {@code printf}, {@code println},
 * {@code eq}, {@code ne}, {@code lt}, {@code le}, {@code gt}, {@code ge}, {@code html}, {@code js},
 * {@code urlquery}) and the ones Docker's CLI adds ({@code json}, {@code split}, {@code join}, {@code title},
 * {@code lower}, {@code upper}, {@code pad}, {@code truncate}) — and Go's way of printing a value.
 */
public final class GoTemplateFunctions {
    private static final Set<String> NAMES = Set.of("and", "or", "not", "len", "index", "slice", "print", "printf",
            "println", "eq", "ne", "lt", "le", "gt", "ge", "html", "js", "urlquery", "json", "split", "join", "title",
            "lower", "upper", "pad", "truncate");

    private GoTemplateFunctions() {
    }

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    static Object call(String name, List<Object> args, int line) {
        try {
            return switch (name) {
                case "and" -> {
                    need(name, args, 1, -1);
                    Object last = null;
                    for (Object a : args) {
                        last = a;
                        if (!truth(a)) {
                            break;
                        }
                    }
                    yield last;
                }
                case "or" -> {
                    need(name, args, 1, -1);
                    Object last = null;
                    for (Object a : args) {
                        last = a;
                        if (truth(a)) {
                            break;
                        }
                    }
                    yield last;
                }
                case "not" -> !truth(one(name, args));
                case "len" -> {
                    Object v = one(name, args);
                    if (v instanceof String s) {
                        yield (long) s.getBytes(StandardCharsets.UTF_8).length;
                    } else if (v instanceof List<?> l) {
                        yield (long) l.size();
                    } else if (v instanceof Map<?, ?> m) {
                        yield (long) m.size();
                    }
                    throw new IllegalArgumentException("len of type " + goType(v));
                }
                case "index" -> {
                    need(name, args, 1, -1);
                    Object v = args.getFirst();
                    for (int i = 1; i < args.size(); i++) {
                        v = index(v, args.get(i));
                    }
                    yield v;
                }
                case "slice" -> {
                    need(name, args, 1, 3);
                    Object v = args.getFirst();
                    int from = args.size() > 1 ? (int) integer(args.get(1)) : 0;
                    if (v instanceof String s) {
                        int to = args.size() > 2 ? (int) integer(args.get(2)) : s.length();
                        yield s.substring(from, to);
                    } else if (v instanceof List<?> l) {
                        int to = args.size() > 2 ? (int) integer(args.get(2)) : l.size();
                        yield new ArrayList<Object>(l.subList(from, to));
                    }
                    throw new IllegalArgumentException("can't slice item of type " + goType(v));
                }
                case "print" -> sprint(args);
                case "println" -> {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < args.size(); i++) {
                        sb.append(i > 0 ? " " : "").append(print(args.get(i)));
                    }
                    yield sb.append('\n').toString();
                }
                case "printf" -> {
                    need(name, args, 1, -1);
                    yield printf(String.valueOf(args.getFirst()), args.subList(1, args.size()));
                }
                case "eq" -> {
                    need(name, args, 2, -1);
                    boolean any = false;
                    for (int i = 1; i < args.size(); i++) {
                        any |= compare(args.getFirst(), args.get(i)) == 0;
                    }
                    yield any;
                }
                case "ne" -> compare(two(name, args, 0), args.get(1)) != 0;
                case "lt" -> compare(two(name, args, 0), args.get(1)) < 0;
                case "le" -> compare(two(name, args, 0), args.get(1)) <= 0;
                case "gt" -> compare(two(name, args, 0), args.get(1)) > 0;
                case "ge" -> compare(two(name, args, 0), args.get(1)) >= 0;
                case "html" -> sprint(args).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                        .replace("\"", "&#34;").replace("'", "&#39;");
                case "js" -> sprint(args).replace("\\", "\\\\").replace("'", "\\'").replace("\"", "\\\"")
                        .replace("<", "\\u003C").replace(">", "\\u003E");
                case "urlquery" -> URLEncoder.encode(sprint(args), StandardCharsets.UTF_8);
                case "json" -> {
                    Object v = one(name, args);
                    yield Json.write(v == GoTemplate.NoValue.INSTANCE ? null : v);
                }
                case "split" -> {
                    String s = text(two(name, args, 0));
                    String sep = text(args.get(1));
                    List<Object> parts = new ArrayList<>();
                    if (sep.isEmpty()) {
                        s.codePoints().forEach(cp -> parts.add(new String(Character.toChars(cp))));
                    } else {
                        int from = 0;
                        for (int at = s.indexOf(sep); at >= 0; at = s.indexOf(sep, from)) {
                            parts.add(s.substring(from, at));
                            from = at + sep.length();
                        }
                        parts.add(s.substring(from));
                    }
                    yield parts;
                }
                case "join" -> {
                    Object list = two(name, args, 0);
                    if (!(list instanceof List<?> l)) {
                        throw new IllegalArgumentException("wrong type for value; expected []string; got " + goType(list));
                    }
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < l.size(); i++) {
                        sb.append(i > 0 ? text(args.get(1)) : "").append(print(l.get(i)));
                    }
                    yield sb.toString();
                }
                case "title" -> {
                    String s = text(one(name, args));
                    StringBuilder sb = new StringBuilder(s.length());
                    boolean start = true;
                    for (int i = 0; i < s.length(); i++) {
                        char c = s.charAt(i);
                        sb.append(start ? Character.toTitleCase(c) : c);
                        start = !Character.isLetterOrDigit(c) && c != '_' && c != '\'';
                    }
                    yield sb.toString();
                }
                case "lower" -> text(one(name, args)).toLowerCase(Locale.ROOT);
                case "upper" -> text(one(name, args)).toUpperCase(Locale.ROOT);
                case "pad" -> {
                    need(name, args, 3, 3);
                    yield " ".repeat((int) integer(args.get(1))) + text(args.getFirst()) + " ".repeat((int) integer(args.get(2)));
                }
                case "truncate" -> {
                    String s = text(two(name, args, 0));
                    int n = (int) integer(args.get(1));
                    yield s.codePointCount(0, s.length()) > n ? s.substring(0, s.offsetByCodePoints(0, n)) : s;
                }
                default -> throw new IllegalArgumentException("function \"" + name + "\" not defined");
            };
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new GoTemplate.TemplateException("template: :" + line + ": executing \"\" at <" + name + ">: error calling "
                    + name + ": " + e.getMessage());
        }
    }

    /** Go's truth: false, 0, nil, and empty strings, lists and maps are false. */
    static boolean truth(Object v) {
        return switch (v) {
            case null -> false;
            case GoTemplate.NoValue n -> false;
            case Boolean b -> b;
            case String s -> !s.isEmpty();
            case Long l -> l != 0;
            case Integer i -> i != 0;
            case Double d -> d != 0;
            case BigInteger b -> b.signum() != 0;
            case List<?> l -> !l.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            default -> true;
        };
    }

    /** A value as Go's {@code fmt.Sprint} prints it: {@code [a b]}, {@code map[k:v]}, {@code <no value>}. */
    static String print(Object v) {
        return switch (v) {
            case null -> "<no value>";
            case String s -> s;
            case Double d -> goFloat(d);
            case List<?> l -> {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < l.size(); i++) {
                    sb.append(i > 0 ? " " : "").append(l.get(i) == null ? "<nil>" : print(l.get(i)));
                }
                yield sb.append(']').toString();
            }
            case Map<?, ?> m -> {
                StringBuilder sb = new StringBuilder("map[");
                boolean first = true;
                for (Map.Entry<String, Object> e : sorted(m).entrySet()) {
                    sb.append(first ? "" : " ").append(e.getKey()).append(':')
                            .append(e.getValue() == null ? "<nil>" : print(e.getValue()));
                    first = false;
                }
                yield sb.append(']').toString();
            }
            default -> String.valueOf(v);
        };
    }

    /** Go's type name of a JSON value, for error messages. */
    static String goType(Object v) {
        return switch (v) {
            case null -> "nil";
            case String s -> "string";
            case Long l -> "int";
            case Double d -> "float64";
            case Boolean b -> "bool";
            case List<?> l -> "[]interface {}";
            case Map<?, ?> m -> "map[string]interface {}";
            default -> v.getClass().getSimpleName();
        };
    }

    private static Map<String, Object> sorted(Map<?, ?> m) {
        Map<String, Object> s = new TreeMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            s.put(String.valueOf(e.getKey()), e.getValue());
        }
        return s;
    }

    /** Go's {@code %v} of a float64: the shortest form, exponent past 1e21. */
    private static String goFloat(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e21) {
            return Long.toString((long) d);
        }
        String s = Double.toString(d);
        if (s.contains("E")) {
            String[] parts = s.split("E");
            int exp = Integer.parseInt(parts[1]);
            String mantissa = parts[0].endsWith(".0") ? parts[0].substring(0, parts[0].length() - 2) : parts[0];
            return mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        return s;
    }

    /** {@code fmt.Sprint}: a space between operands when neither is a string. */
    private static String sprint(List<Object> args) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0 && !(args.get(i) instanceof String) && !(args.get(i - 1) instanceof String)) {
                sb.append(' ');
            }
            sb.append(print(args.get(i)));
        }
        return sb.toString();
    }

    /** Go's {@code fmt.Sprintf} for the verbs templates use: v s d q t x X f e g T and %%, with flags and widths. */
    static String printf(String format, List<Object> args) {
        StringBuilder out = new StringBuilder();
        int arg = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            int start = i++;
            while (i < format.length() && "+-# 0".indexOf(format.charAt(i)) >= 0) {
                i++;
            }
            while (i < format.length() && (Character.isDigit(format.charAt(i)) || format.charAt(i) == '.')) {
                i++;
            }
            if (i >= format.length()) {
                out.append("%!(NOVERB)");
                break;
            }
            char verb = format.charAt(i);
            String spec = format.substring(start + 1, i);
            if (verb == '%') {
                out.append('%');
                continue;
            }
            if (arg >= args.size()) {
                out.append("%!").append(verb).append("(MISSING)");
                continue;
            }
            Object a = args.get(arg++);
            String javaSpec = "%" + spec.replace("#", "").replace("+", "+");
            out.append(switch (verb) {
                case 'd' -> a instanceof Number n ? String.format(javaSpec + "d", n.longValue()) : "%!d(" + goType(a) + "=" + print(a) + ")";
                case 'x', 'X' -> a instanceof Number n ? String.format(javaSpec + verb, n.longValue())
                        : String.format(javaSpec + "s", hex(print(a), verb == 'X'));
                case 'f', 'e', 'g' -> a instanceof Number n ? String.format(javaSpec + verb, n.doubleValue())
                        : "%!" + verb + "(" + goType(a) + "=" + print(a) + ")";
                case 'q' -> String.format(javaSpec.replace("0", "") + "s", quote(print(a)));
                case 't' -> String.format(javaSpec + "s", a instanceof Boolean b ? b.toString() : "%!t(" + goType(a) + "=" + print(a) + ")");
                case 'T' -> String.format(javaSpec + "s", goType(a));
                default -> String.format(javaSpec.replace("0", "") + "s", print(a)); // v, s
            });
        }
        if (arg < args.size()) {
            out.append("%!(EXTRA ");
            for (int j = arg; j < args.size(); j++) {
                out.append(j > arg ? ", " : "").append(goType(args.get(j))).append('=').append(print(args.get(j)));
            }
            out.append(')');
        }
        return out.toString();
    }

    private static String hex(String s, boolean upper) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            sb.append(String.format(upper ? "%02X" : "%02x", b & 0xff));
        }
        return sb.toString();
    }

    /** Go's {@code strconv.Quote}: the {@code %q} verb, the {@code json}-free quoting of ps's COMMAND column. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (ch < 0x20 || ch == 0x7f) {
                        sb.append("\\x").append(Character.forDigit(ch >> 4, 16)).append(Character.forDigit(ch & 15, 16));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static Object index(Object v, Object key) {
        if (v instanceof Map<?, ?> m) {
            Object found = m.get(text(key));
            return found == null ? GoTemplate.NoValue.INSTANCE : found;
        }
        if (v instanceof List<?> l) {
            long i = integer(key);
            if (i < 0 || i >= l.size()) {
                throw new IllegalArgumentException("index out of range: " + i);
            }
            return l.get((int) i);
        }
        if (v instanceof String s) {
            long i = integer(key);
            if (i < 0 || i >= s.length()) {
                throw new IllegalArgumentException("index out of range: " + i);
            }
            return (long) s.charAt((int) i);
        }
        throw new IllegalArgumentException("can't index item of type " + goType(v));
    }

    private static int compare(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        if (a instanceof Boolean x && b instanceof Boolean y) {
            return x.equals(y) ? 0 : 1;
        }
        if ((a == null || a == GoTemplate.NoValue.INSTANCE) && (b == null || b == GoTemplate.NoValue.INSTANCE)) {
            return 0;
        }
        throw new IllegalArgumentException("incompatible types for comparison");
    }

    private static long integer(Object v) {
        if (v instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("cannot index slice/array with type " + goType(v));
    }

    private static String text(Object v) {
        if (v instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("wrong type for value; expected string; got " + goType(v));
    }

    private static Object one(String name, List<Object> args) {
        need(name, args, 1, 1);
        return args.getFirst();
    }

    private static Object two(String name, List<Object> args, int first) {
        need(name, args, 2, 2);
        return args.get(first);
    }

    private static void need(String name, List<Object> args, int min, int max) {
        if (args.size() < min || max >= 0 && args.size() > max) {
            throw new IllegalArgumentException("wrong number of args for " + name + ": want " + (min == max ? min : "at least " + min)
                    + " got " + args.size());
        }
    }
}
