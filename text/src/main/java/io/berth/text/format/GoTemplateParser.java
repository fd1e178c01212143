package io.berth.text.format;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the text of a Go template ({@code text/template}, as Docker's {@code --format} takes it) into the tree
 * {@link GoTemplate} runs. What is read: text and actions with the {@code {{-}} / {@code -}}} trim markers,
 * comments, pipelines with {@code |}, fields ({@code .A.B}), variables ({@code $}, {@code $x}, declared with
 * {@code :=} and set with {@code =}), string (interpreted and raw), number, boolean and {@code nil} literals,
 * parenthesised pipelines, and {@code if}/{@code else if}/{@code else}, {@code range} (with one or two
 * variables), {@code with}, {@code break}, {@code continue} and {@code end}. {@code define}, {@code template}
 * and {@code block} name other templates, which a {@code --format} string never has: they are refused.
 *
 * <p>Errors read as Go's do ({@code template: :LINE: …}), so a user sees what Docker would print.
 */
final class GoTemplateParser {
    private final String text;
    private int pos;

    private GoTemplateParser(String text) {
        this.text = text;
    }

    /** The tree of {@code text}; {@link GoTemplate.TemplateException} when it is not a valid template. */
    static List<GoTemplate.Node> parse(String text) {
        GoTemplateParser p = new GoTemplateParser(text);
        List<GoTemplate.Node> nodes = new ArrayList<>();
        String end = p.list(nodes, false);
        if (end != null) {
            throw p.error("unexpected {{" + end + "}}");
        }
        return nodes;
    }

    /**
     * Reads nodes into {@code into} until the end of the text, or (inside a block) an {@code else} or
     * {@code end} action, whose keyword (with what follows {@code else}) it returns.
     */
    private String list(List<GoTemplate.Node> into, boolean inBlock) {
        while (pos < text.length()) {
            int open = text.indexOf("{{", pos);
            int textEnd = open < 0 ? text.length() : open;
            boolean trimLeft = open >= 0 && text.startsWith("{{- ", open);
            String chunk = text.substring(pos, textEnd);
            if (trimLeft) {
                chunk = chunk.stripTrailing();
            }
            if (!chunk.isEmpty()) {
                into.add(new GoTemplate.Text(chunk));
            }
            if (open < 0) {
                pos = text.length();
                break;
            }
            pos = open + (trimLeft ? 4 : 2);
            int line = line(open);
            String keyword = action(into, line);
            if (keyword != null) {
                if (!inBlock) {
                    throw error("unexpected {{" + keyword + "}}");
                }
                return keyword;
            }
        }
        if (inBlock) {
            throw error("unexpected EOF");
        }
        return null;
    }

    /** Reads one action after its {@code {{}; returns {@code end} or {@code else…} when it closes a block. */
    private String action(List<GoTemplate.Node> into, int line) {
        skipSpace();
        if (text.startsWith("/*", pos)) {
            int close = text.indexOf("*/", pos + 2);
            if (close < 0) {
                throw error("unclosed comment");
            }
            pos = close + 2;
            closeAction();
            return null;
        }
        Lexer lx = new Lexer();
        String word = lx.peekWord();
        switch (word) {
            case "end" -> {
                lx.takeWord();
                closeAction();
                return "end";
            }
            case "else" -> {
                lx.takeWord();
                skipSpace();
                if (atClose()) {
                    closeAction();
                    return "else";
                }
                String next = lx.peekWord();
                if (next.equals("if") || next.equals("with")) {
                    return "else " + next; // the caller reads the rest of this action as a nested block
                }
                throw error("unexpected " + describe() + " in else");
            }
            case "if", "with" -> {
                lx.takeWord();
                into.add(block(word, line));
                return null;
            }
            case "range" -> {
                lx.takeWord();
                into.add(block(word, line));
                return null;
            }
            case "break", "continue" -> {
                lx.takeWord();
                closeAction();
                into.add(new GoTemplate.LoopControl(word.equals("break"), line));
                return null;
            }
            case "define", "template", "block" -> throw error("{{" + word + "}} is not supported in a --format template");
            default -> {
                GoTemplate.Pipeline pipe = pipeline(line, true);
                closeAction();
                into.add(new GoTemplate.Action(pipe, line));
                return null;
            }
        }
    }

    /** An {@code if}, {@code with} or {@code range} block, after its keyword. */
    private GoTemplate.Node block(String kind, int line) {
        GoTemplate.Pipeline pipe = pipeline(line, true);
        closeAction();
        List<GoTemplate.Node> body = new ArrayList<>();
        String end = list(body, true);
        List<GoTemplate.Node> otherwise = null;
        if (end.startsWith("else")) {
            otherwise = new ArrayList<>();
            if (end.equals("else")) {
                String last = list(otherwise, true);
                if (!last.equals("end")) {
                    throw error("expected end; found {{" + last + "}}");
                }
            } else {
                // "else if …" / "else with …": a nested block that shares this block's end
                new Lexer().takeWord();
                otherwise.add(block(end.substring(5), line(pos)));
            }
        }
        return switch (kind) {
            case "if" -> new GoTemplate.If(pipe, body, otherwise, line);
            case "with" -> new GoTemplate.With(pipe, body, otherwise, line);
            default -> new GoTemplate.Range(pipe, body, otherwise, line);
        };
    }

    /** A pipeline up to the action's close or a {@code )}; {@code declarations} allows {@code $x :=}. */
    private GoTemplate.Pipeline pipeline(int line, boolean declarations) {
        List<String> vars = new ArrayList<>();
        boolean assign = false;
        if (declarations) {
            int save = pos;
            List<String> found = new ArrayList<>();
            while (true) {
                skipSpace();
                if (pos < text.length() && text.charAt(pos) == '$') {
                    found.add(variableName());
                    skipSpace();
                    if (pos < text.length() && text.charAt(pos) == ',' && found.size() == 1) {
                        pos++;
                        continue;
                    }
                    if (text.startsWith(":=", pos)) {
                        pos += 2;
                        vars = found;
                    } else if (pos < text.length() && text.charAt(pos) == '=' && !text.startsWith("==", pos)) {
                        pos += 1;
                        vars = found;
                        assign = true;
                    } else {
                        pos = save;
                    }
                }
                break;
            }
        }
        List<GoTemplate.Command> commands = new ArrayList<>();
        while (true) {
            commands.add(command(line));
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == '|') {
                pos++;
                continue;
            }
            break;
        }
        return new GoTemplate.Pipeline(vars, assign, commands, line);
    }

    private GoTemplate.Command command(int line) {
        List<GoTemplate.Operand> args = new ArrayList<>();
        while (true) {
            skipSpace();
            if (pos >= text.length()) {
                throw error("unclosed action");
            }
            char c = text.charAt(pos);
            if (c == '|' || c == ')' || atClose()) {
                break;
            }
            args.add(operand(line));
        }
        if (args.isEmpty()) {
            throw error("missing value for command");
        }
        return new GoTemplate.Command(args);
    }

    private GoTemplate.Operand operand(int line) {
        char c = text.charAt(pos);
        GoTemplate.Operand base;
        if (c == '.') {
            if (pos + 1 >= text.length() || !identStart(text.charAt(pos + 1))) {
                pos++;
                base = new GoTemplate.Dot();
            } else {
                return new GoTemplate.Field(null, fields(), line);
            }
        } else if (c == '$') {
            base = new GoTemplate.Variable(variableName(), line);
        } else if (c == '(') {
            pos++;
            GoTemplate.Pipeline inner = pipeline(line, false);
            skipSpace();
            if (pos >= text.length() || text.charAt(pos) != ')') {
                throw error("unclosed left paren");
            }
            pos++;
            base = new GoTemplate.Sub(inner);
        } else if (c == '"') {
            base = new GoTemplate.Literal(interpreted());
        } else if (c == '`') {
            int close = text.indexOf('`', pos + 1);
            if (close < 0) {
                throw error("unterminated raw quoted string");
            }
            base = new GoTemplate.Literal(text.substring(pos + 1, close));
            pos = close + 1;
        } else if (c == '-' || c == '+' || Character.isDigit(c)) {
            base = new GoTemplate.Literal(number());
        } else if (identStart(c)) {
            String word = new Lexer().takeWord();
            base = switch (word) {
                case "true" -> new GoTemplate.Literal(Boolean.TRUE);
                case "false" -> new GoTemplate.Literal(Boolean.FALSE);
                case "nil" -> new GoTemplate.Literal(null);
                default -> {
                    if (!GoTemplateFunctions.exists(word)) {
                        throw error("function \"" + word + "\" not defined");
                    }
                    yield new GoTemplate.Function(word);
                }
            };
        } else {
            throw error("unexpected " + describe() + " in operand");
        }
        if (pos < text.length() && text.charAt(pos) == '.' && pos + 1 < text.length() && identStart(text.charAt(pos + 1))) {
            if (base instanceof GoTemplate.Function || base instanceof GoTemplate.Literal) {
                throw error("unexpected . after term");
            }
            return new GoTemplate.Field(base, fields(), line);
        }
        return base;
    }

    /** {@code .A.B…}: the names of a field chain. */
    private List<String> fields() {
        List<String> names = new ArrayList<>();
        while (pos < text.length() && text.charAt(pos) == '.' && pos + 1 < text.length() && identStart(text.charAt(pos + 1))) {
            pos++;
            int start = pos;
            while (pos < text.length() && identPart(text.charAt(pos))) {
                pos++;
            }
            names.add(text.substring(start, pos));
        }
        return names;
    }

    private String variableName() {
        int start = pos++;
        while (pos < text.length() && identPart(text.charAt(pos))) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private String interpreted() {
        StringBuilder sb = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= text.length() || text.charAt(pos) == '\n') {
                throw error("unterminated quoted string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("unterminated quoted string");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case '\\' -> sb.append('\\');
                case '"' -> sb.append('"');
                case '\'' -> sb.append('\'');
                case '0' -> sb.append('\0');
                case 'x', 'u' -> {
                    int digits = e == 'x' ? 2 : 4;
                    if (pos + digits > text.length()) {
                        throw error("invalid syntax in quoted string");
                    }
                    try {
                        sb.appendCodePoint(Integer.parseInt(text.substring(pos, pos + digits), 16));
                    } catch (NumberFormatException bad) {
                        throw error("invalid syntax in quoted string");
                    }
                    pos += digits;
                }
                default -> throw error("invalid syntax in quoted string");
            }
        }
    }

    private Object number() {
        int start = pos;
        if (text.charAt(pos) == '-' || text.charAt(pos) == '+') {
            pos++;
        }
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '.' || text.charAt(pos) == '_')) {
            pos++;
        }
        String n = text.substring(start, pos).replace("_", "");
        try {
            if (n.startsWith("0x") || n.startsWith("0X")) {
                return Long.parseLong(n.substring(2), 16);
            }
            if (n.contains(".") || n.contains("e") || n.contains("E")) {
                return Double.parseDouble(n);
            }
            return Long.parseLong(n);
        } catch (NumberFormatException bad) {
            throw error("bad number syntax: \"" + text.substring(start, pos) + "\"");
        }
    }

    private boolean atClose() {
        return text.startsWith("}}", pos) || text.startsWith("-}}", pos) && pos > 0 && Character.isWhitespace(text.charAt(pos - 1));
    }

    /** Expects the action's close ({@code }}} or {@code -}}}, which also trims the text after it). */
    private void closeAction() {
        skipSpace();
        if (text.startsWith("}}", pos)) {
            pos += 2;
            return;
        }
        if (text.startsWith("-}}", pos)) {
            pos += 3;
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
            return;
        }
        if (pos >= text.length()) {
            throw error("unclosed action");
        }
        throw error("unexpected " + describe() + " in command");
    }

    private void skipSpace() {
        while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t' || text.charAt(pos) == '\n'
                || text.charAt(pos) == '\r')) {
            if (text.startsWith("-}}", pos + 1) && text.charAt(pos) == ' ') {
                pos++;
                return;
            }
            pos++;
        }
    }

    private String describe() {
        if (pos >= text.length()) {
            return "EOF";
        }
        return "\"" + text.charAt(pos) + "\"";
    }

    private int line(int at) {
        int n = 1;
        for (int i = 0; i < at && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private GoTemplate.TemplateException error(String message) {
        return new GoTemplate.TemplateException("template: :" + line(pos) + ": " + message);
    }

    private static boolean identStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean identPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    /** Keywords and function names at the current position. */
    private final class Lexer {
        String peekWord() {
            int end = pos;
            while (end < text.length() && identPart(text.charAt(end))) {
                end++;
            }
            return text.substring(pos, end);
        }

        String takeWord() {
            String w = peekWord();
            pos += w.length();
            return w;
        }
    }
}
