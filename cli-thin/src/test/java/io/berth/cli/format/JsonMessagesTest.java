package io.berth.cli.format;

import io.berth.text.json.Json;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Docker's rendering of pull/push streams: plain lines off a terminal, redrawn layer lines on one. */
class JsonMessagesTest {
    private static final String[] PULL = {
            "{\"status\":\"Pulling from library/busybox\",\"id\":\"latest\"}",
            "{\"status\":\"Pulling fs layer\",\"id\":\"aaaaaaaaaaaa\"}",
            "{\"status\":\"Pulling fs layer\",\"id\":\"bbbbbbbbbbbb\"}",
            "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":500,\"total\":1000},\"progress\":\"x\",\"id\":\"aaaaaaaaaaaa\"}",
            "{\"status\":\"Pull complete\",\"id\":\"aaaaaaaaaaaa\"}",
            "{\"status\":\"Digest: sha256:abc\"}",
            "{\"status\":\"Status: Downloaded newer image for busybox:latest\"}",
    };

    private static String render(boolean terminal, int width, String... lines) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        JsonMessages m = new JsonMessages(out, terminal, width);
        for (String l : lines) {
            @SuppressWarnings("unchecked")
            Map<String, Object> message = (Map<String, Object>) Json.parse(l);
            m.display(message);
        }
        out.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void givenNoTerminal_thenOneLinePerMessageWithoutByteCounts() throws Exception {
        assertEquals("""
                latest: Pulling from library/busybox
                aaaaaaaaaaaa: Pulling fs layer
                bbbbbbbbbbbb: Pulling fs layer
                aaaaaaaaaaaa: Pull complete
                Digest: sha256:abc
                Status: Downloaded newer image for busybox:latest
                """, render(false, 0, PULL));
    }

    @Test
    void givenTerminal_thenEachLayerLineIsRedrawnInPlace() throws Exception {
        String e = "\u001b[";
        String expected = "\n" + e + "1A" + e + "2K\rlatest: Pulling from library/busybox\r" + e + "1B"
                + "\n" + e + "1A" + e + "2K\raaaaaaaaaaaa: Pulling fs layer\r" + e + "1B"
                + "\n" + e + "1A" + e + "2K\rbbbbbbbbbbbb: Pulling fs layer\r" + e + "1B"
                // the first layer is two lines up from the cursor
                + e + "2A" + e + "2K\raaaaaaaaaaaa: Downloading [=========================>                         ]"
                + "     500B/1kB\r" + e + "2B"
                + e + "2A" + e + "2K\raaaaaaaaaaaa: Pull complete\r" + e + "2B"
                + "Digest: sha256:abc\n"
                + "Status: Downloaded newer image for busybox:latest\n";
        assertEquals(expected, render(true, 200, PULL));
    }

    @Test
    void givenNarrowTerminal_thenNoBar() throws Exception {
        String out = render(true, 80, PULL[3]);
        assertEquals("\n\u001b[1A\u001b[2K\raaaaaaaaaaaa: Downloading     500B/1kB\r\u001b[1B", out);
    }

    @Test
    void givenErrorMessage_thenStreamErrorWithTheMessage() {
        JsonMessages.StreamError e = assertThrows(JsonMessages.StreamError.class, () -> render(false, 0,
                "{\"errorDetail\":{\"message\":\"manifest unknown\"},\"error\":\"manifest unknown\"}"));
        assertEquals("manifest unknown", e.getMessage());
    }

    @Test
    void givenLoadStream_thenTextAsIs() throws Exception {
        assertEquals("Loaded image: busybox:latest\n", render(false, 0, "{\"stream\":\"Loaded image: busybox:latest\\n\"}"));
    }
}
