package io.berth.text.format;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Go template, as Docker's CLI takes one for {@code --format}: {@code {{.Names}}\t{{.Status}}},
 * {@code {{json .}}}, {@code {{range .Mounts}}{{.Source}} {{end}}}, {@code {{.State.Status}}}. The data is
 * the CLI's JSON tree ({@code Map}, {@code List}, {@code String}, {@code Long}, {@code Double},
 * {@code Boolean}, {@code null}); a value that takes arguments ({@code {{.Label "x"}}}) is a {@link Method}.
 *
 * <p>Fields of a map that is not there: with {@link #strict} (the list commands, whose rows Docker makes
 * from Go structs) an error naming the field, as Docker's {@code can't evaluate field}; otherwise (inspect's
 * free-form JSON) Go's {@code <no value>}. Values print as Go's {@code fmt} prints them ({@code [a b]},
 * {@code map[k:v]}); the functions are Go's built-ins and Docker's ({@link GoTemplateFunctions}).
 */
public final class GoTemplate {
    private final List<Node> nodes;
    private final boolean strict;

    private GoTemplate(List<Node> nodes, boolean strict) {
        this.nodes = nodes;
        this.strict = strict;
    }

    /**
     * The template of {@code text}.
     *
     * @param strict whether a missing field is an error (a row of a list) rather than {@code <no value>}
     * @throws TemplateException when the text is not a valid template
     */
    public static GoTemplate parse(String text, boolean strict) {
        return new GoTemplate(GoTemplateParser.parse(text), strict);
    }

    /** The text of this template run on {@code data}; {@link TemplateException} when a step fails. */
    public String execute(Object data) {
        StringBuilder out = new StringBuilder();
        Scope scope = new Scope(data);
        run(nodes, data, scope, out);
        return out.toString();
    }

    /** A template that cannot be read or run; the message reads as Go's ({@code template: :1: …}). */
    public static final class TemplateException extends RuntimeException {
        TemplateException(String message) {
            super(message);
        }
    }

    /** A value that takes arguments, as a Go method does: {@code {{.Label "com.example.key"}}}. */
    @FunctionalInterface
    public interface Method {
        /** The value for these arguments. */
        Object call(List<Object> args);
    }

    // The tree GoTemplateParser builds.
    sealed interface Node permits Text, Action, If, With, Range, LoopControl {}

    record Text(String text) implements Node {}

    record Action(Pipeline pipeline, int line) implements Node {}

    record If(Pipeline pipeline, List<Node> body, List<Node> otherwise, int line) implements Node {}

    record With(Pipeline pipeline, List<Node> body, List<Node> otherwise, int line) implements Node {}

    record Range(Pipeline pipeline, List<Node> body, List<Node> otherwise, int line) implements Node {}

    record LoopControl(boolean isBreak, int line) implements Node {}

    record Pipeline(List<String> variables, boolean assign, List<Command> commands, int line) {}

    record Command(List<Operand> args) {}

    sealed interface Operand permits Dot, Field, Variable, Literal, Function, Sub {}

    record Dot() implements Operand {}

    /** A field chain; {@code base} is null for one that starts at dot. */
    record Field(Operand base, List<String> names, int line) implements Operand {}

    record Variable(String name, int line) implements Operand {}

    record Literal(Object value) implements Operand {}

    record Function(String name) implements Operand {}

    record Sub(Pipeline pipeline) implements Operand {}

    /** Variables in scope: {@code $} is the data; blocks add and drop their own. */
    private static final class Scope {
        private final List<Map<String, Object>> frames = new ArrayList<>();

        Scope(Object root) {
            push();
            frames.getFirst().put("$", root);
        }

        void push() {
            frames.add(new HashMap<>());
        }

        void pop() {
            frames.removeLast();
        }

        void declare(String name, Object value) {
            frames.getLast().put(name, value);
        }

        void assign(String name, Object value, int line) {
            for (int i = frames.size() - 1; i >= 0; i--) {
                if (frames.get(i).containsKey(name)) {
                    frames.get(i).put(name, value);
                    return;
                }
            }
            throw new TemplateException("template: :" + line + ": undefined variable: " + name);
        }

        Object get(String name, int line) {
            for (int i = frames.size() - 1; i >= 0; i--) {
                if (frames.get(i).containsKey(name)) {
                    return frames.get(i).get(name);
                }
            }
            throw new TemplateException("template: :" + line + ": undefined variable: " + name);
        }
    }

    /** Thrown through a range's body by {@code break} and {@code continue}. */
    private static final class LoopSignal extends RuntimeException {
        final boolean isBreak;

        LoopSignal(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }
    }

    private void run(List<Node> list, Object dot, Scope scope, StringBuilder out) {
        for (Node node : list) {
            switch (node) {
                case Text t -> out.append(t.text());
                case Action a -> {
                    Object v = pipeline(a.pipeline(), dot, scope);
                    if (a.pipeline().variables().isEmpty()) {
                        out.append(GoTemplateFunctions.print(v));
                    }
                }
                case If i -> {
                    scope.push();
                    try {
                        if (GoTemplateFunctions.truth(pipeline(i.pipeline(), dot, scope))) {
                            run(i.body(), dot, scope, out);
                        } else if (i.otherwise() != null) {
                            run(i.otherwise(), dot, scope, out);
                        }
                    } finally {
                        scope.pop();
                    }
                }
                case With w -> {
                    scope.push();
                    try {
                        Object v = pipeline(w.pipeline(), dot, scope);
                        if (GoTemplateFunctions.truth(v)) {
                            run(w.body(), v, scope, out);
                        } else if (w.otherwise() != null) {
                            run(w.otherwise(), dot, scope, out);
                        }
                    } finally {
                        scope.pop();
                    }
                }
                case Range r -> range(r, dot, scope, out);
                case LoopControl c -> throw new LoopSignal(c.isBreak());
            }
        }
    }

    private void range(Range r, Object dot, Scope scope, StringBuilder out) {
        scope.push();
        try {
            List<String> vars = r.pipeline().variables();
            Pipeline bare = new Pipeline(List.of(), false, r.pipeline().commands(), r.line());
            Object v = pipeline(bare, dot, scope);
            List<Object[]> items = new ArrayList<>();
            if (v instanceof List<?> l) {
                for (int i = 0; i < l.size(); i++) {
                    items.add(new Object[] {(long) i, l.get(i)});
                }
            } else if (v instanceof Map<?, ?> m) {
                List<String> keys = new ArrayList<>();
                for (Object k : m.keySet()) {
                    keys.add(String.valueOf(k));
                }
                keys.sort(null); // Go ranges over a map in key order
                for (String k : keys) {
                    items.add(new Object[] {k, m.get(k)});
                }
            } else if (v instanceof Long n) {
                for (long i = 0; i < n; i++) {
                    items.add(new Object[] {i, i});
                }
            } else if (v != null) {
                throw new TemplateException("template: :" + r.line() + ": range can't iterate over " + GoTemplateFunctions.print(v));
            }
            if (items.isEmpty()) {
                if (r.otherwise() != null) {
                    run(r.otherwise(), dot, scope, out);
                }
                return;
            }
            for (Object[] item : items) {
                if (vars.size() == 1) {
                    scope.declare(vars.getFirst(), item[1]);
                } else if (vars.size() == 2) {
                    scope.declare(vars.get(0), item[0]);
                    scope.declare(vars.get(1), item[1]);
                }
                try {
                    run(r.body(), item[1], scope, out);
                } catch (LoopSignal s) {
                    if (s.isBreak) {
                        break;
                    }
                }
            }
        } finally {
            scope.pop();
        }
    }

    private Object pipeline(Pipeline p, Object dot, Scope scope) {
        Object value = null;
        boolean piped = false;
        for (Command c : p.commands()) {
            value = command(c, dot, scope, piped, value, p.line());
            piped = true;
        }
        for (String v : p.variables()) {
            if (p.assign()) {
                scope.assign(v, value, p.line());
            } else {
                scope.declare(v, value);
            }
        }
        return value;
    }

    private Object command(Command c, Object dot, Scope scope, boolean piped, Object pipedValue, int line) {
        Operand first = c.args().getFirst();
        List<Object> args = new ArrayList<>();
        for (int i = 1; i < c.args().size(); i++) {
            args.add(operand(c.args().get(i), dot, scope, line));
        }
        if (piped) {
            args.add(pipedValue);
        }
        if (first instanceof Function f) {
            return GoTemplateFunctions.call(f.name(), args, line);
        }
        Object value = operand(first, dot, scope, line);
        if (value instanceof Method m) {
            return m.call(args);
        }
        if (!args.isEmpty()) {
            throw new TemplateException("template: :" + line + ": can't give argument to non-function " + describe(first));
        }
        return value;
    }

    private Object operand(Operand o, Object dot, Scope scope, int line) {
        return switch (o) {
            case Dot d -> dot;
            case Literal l -> l.value();
            case Variable v -> scope.get(v.name(), v.line());
            case Sub s -> pipeline(s.pipeline(), dot, scope);
            case Function f -> GoTemplateFunctions.call(f.name(), List.of(), line);
            case Field f -> {
                Object v = f.base() == null ? dot : operand(f.base(), dot, scope, line);
                for (String name : f.names()) {
                    v = field(v, name, f);
                }
                yield v;
            }
        };
    }

    private Object field(Object value, String name, Field at) {
        if (value instanceof Map<?, ?> m) {
            if (m.containsKey(name)) {
                Object v = m.get(name);
                return v == null ? NoValue.INSTANCE : v;
            }
            if (strict) {
                throw new TemplateException("template: :" + at.line() + ": executing \"\" at <" + describe(at)
                        + ">: can't evaluate field " + name);
            }
            return NoValue.INSTANCE;
        }
        if (value == null || value == NoValue.INSTANCE) {
            if (strict) {
                throw new TemplateException("template: :" + at.line() + ": executing \"\" at <" + describe(at)
                        + ">: nil pointer evaluating ." + name);
            }
            return NoValue.INSTANCE;
        }
        throw new TemplateException("template: :" + at.line() + ": executing \"\" at <" + describe(at)
                + ">: can't evaluate field " + name + " in type " + GoTemplateFunctions.goType(value));
    }

    private static String describe(Operand o) {
        return switch (o) {
            case Dot d -> ".";
            case Literal l -> String.valueOf(l.value());
            case Variable v -> v.name();
            case Sub s -> "(…)";
            case Function f -> f.name();
            case Field f -> (f.base() == null ? "" : describe(f.base())) + "." + String.join(".", f.names());
        };
    }

    /** Go's missing value: prints as {@code <no value>}, is false, and is nil to {@code json}. */
    enum NoValue {
        INSTANCE;

        @Override
        public String toString() {
            return "<no value>";
        }
    }
}
