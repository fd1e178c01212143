package io.berth.text.format;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Go's text/template semantics as Docker's {@code --format} relies on them; expected texts are Go's output. */
class GoTemplateTest {
    private static final Map<String, Object> DATA = data();

    private static Map<String, Object> data() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Names", "web");
        m.put("Status", "Up 2 minutes");
        m.put("S", "x");
        m.put("L", List.of("a", "b"));
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("b", 2L);
        labels.put("a", 1L);
        m.put("M", labels);
        m.put("T", true);
        m.put("F", false);
        m.put("N", 3L);
        m.put("D", 1.5);
        m.put("Nil", null);
        m.put("Empty", "");
        m.put("EmptyList", List.of());
        m.put("State", Map.of("Status", "running", "Pid", 42L));
        m.put("Label", (GoTemplate.Method) args -> "value-of-" + args.getFirst());
        return m;
    }

    private static String run(String template) {
        return GoTemplate.parse(template, true).execute(DATA);
    }

    private static String lenient(String template) {
        return GoTemplate.parse(template, false).execute(DATA);
    }

    @Test
    void fieldsTextAndNestedFields() {
        assertEquals("web\tUp 2 minutes", run("{{.Names}}\t{{.Status}}"));
        assertEquals("running 42", run("{{.State.Status}} {{.State.Pid}}"));
        assertEquals("1.5 3 true", run("{{.D}} {{.N}} {{.T}}"));
        assertEquals("<no value>", run("{{.Nil}}"));
    }

    @Test
    void valuesPrintAsGoPrintsThem() {
        assertEquals("[a b]", run("{{.L}}"));
        assertEquals("map[a:1 b:2]", run("{{.M}}"));
    }

    @Test
    void functionsOfDockerAndGo() {
        assertEquals("{\"b\":2,\"a\":1}", run("{{json .M}}"));
        assertEquals("\"x\"", run("{{json .S}}"));
        assertEquals("a, b", run("{{join .L \", \"}}"));
        assertEquals("X", run("{{upper .S}}"));
        assertEquals("X", run("{{.S | upper}}"));
        assertEquals("web", run("{{lower \"WEB\"}}"));
        assertEquals("Hello World", run("{{title \"hello world\"}}"));
        assertEquals("[a b c]", run("{{split \"a,b,c\" \",\"}}"));
        assertEquals("Up", run("{{truncate .Status 2}}"));
        assertEquals(" x  ", run("{{pad .S 1 2}}"));
        assertEquals("2", run("{{len .L}}"));
        assertEquals("1", run("{{index .M \"a\"}}"));
        assertEquals("b", run("{{index .L 1}}"));
        assertEquals("x    |3", run("{{printf \"%-5s|%d\" .S .N}}"));
        assertEquals("\"x\"", run("{{printf \"%q\" .S}}"));
        assertEquals("true false true", run("{{gt .N 2}} {{lt .N 2}} {{eq .S \"y\" \"x\"}}"));
        assertEquals("ok", run("{{if and .T (not .F)}}ok{{end}}"));
        assertEquals("x", run("{{or .Empty .S}}"));
        assertEquals("value-of-com.example", run("{{.Label \"com.example\"}}"));
    }

    @Test
    void controlStructures() {
        assertEquals("a,b,", run("{{range .L}}{{.}},{{end}}"));
        assertEquals("0=a 1=b ", run("{{range $i, $e := .L}}{{$i}}={{$e}} {{end}}"));
        assertEquals("a=1 b=2 ", run("{{range $k, $v := .M}}{{$k}}={{$v}} {{end}}"));
        assertEquals("none", run("{{range .EmptyList}}x{{else}}none{{end}}"));
        assertEquals("no", run("{{if eq .S \"y\"}}yes{{else}}no{{end}}"));
        assertEquals("two", run("{{if eq .N 1}}one{{else if eq .N 3}}two{{else}}other{{end}}"));
        assertEquals("running", run("{{with .State}}{{.Status}}{{end}}"));
        assertEquals("x", run("{{$x := .S}}{{$x}}"));
        assertEquals("y", run("{{$x := .S}}{{$x = \"y\"}}{{$x}}"));
        assertEquals("a", run("{{range .L}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}"));
        assertEquals("web", run("{{range .L}}{{$.Names}}{{break}}{{end}}"));
    }

    @Test
    void trimMarkersAndComments() {
        assertEquals("a|b", run("a  {{- \"|\" -}}  \n b"));
        assertEquals("x", run("{{/* a comment */}}x"));
        assertEquals("3", run("{{ .N }}"));
    }

    @Test
    void missingFieldIsAnErrorForRowsAndNoValueForInspect() {
        GoTemplate.TemplateException e = assertThrows(GoTemplate.TemplateException.class, () -> run("{{.Missing}}"));
        assertTrue(e.getMessage().contains("can't evaluate field Missing"), e.getMessage());
        assertEquals("<no value>", lenient("{{.Missing}}"));
        assertEquals("y", lenient("{{with .Missing}}x{{else}}y{{end}}"));
        assertEquals("<no value>", lenient("{{.State.Nope}}"));
    }

    @Test
    void badTemplatesAreRefusedWithGoMessages() {
        assertEquals("template: :1: function \"foo\" not defined",
                assertThrows(GoTemplate.TemplateException.class, () -> GoTemplate.parse("{{foo}}", true)).getMessage());
        assertTrue(assertThrows(GoTemplate.TemplateException.class, () -> GoTemplate.parse("{{.A", true))
                .getMessage().contains("unclosed action"));
        assertTrue(assertThrows(GoTemplate.TemplateException.class, () -> GoTemplate.parse("{{if .A}}x", true))
                .getMessage().contains("unexpected EOF"));
        assertTrue(assertThrows(GoTemplate.TemplateException.class, () -> GoTemplate.parse("{{end}}", true))
                .getMessage().contains("unexpected {{end}}"));
        assertTrue(assertThrows(GoTemplate.TemplateException.class, () -> run("{{.S.Deeper}}"))
                .getMessage().contains("can't evaluate field Deeper in type string"));
    }
}
