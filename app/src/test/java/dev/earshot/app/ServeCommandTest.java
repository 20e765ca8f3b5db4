package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code earshot serve}'s bad options are refused before anything listens, and a real {@code serve} process applies
 * its stream limit and closes its WebSocket streams with 1001 when stopped (the server itself: EarshotServerTest,
 * ListenEndpointTest, ListenLimitsTest).
 */
class ServeCommandTest {
    @Test
    void badOptionsAreRefused() {
        String[][] cases = {
                {"--port must be", "serve", "--port", "70000"},
                {"--max-body-mb must be", "serve", "--max-body-mb", "0"},
                {"--model", "serve", "--model", "no-such-model.earshot"},
                {"a model named 'default' is served already", "serve", "--model", "default", "--model", "default"},
                {"--max-streams must be from 1 to 100000, not 0", "serve", "--max-streams", "0"},
                {"--max-message-kb must be from 1 to 65536, not 0.5", "serve", "--max-message-kb", "0.5"},
                {"--idle-timeout must be from 0.001 to 86400, not 0", "serve", "--idle-timeout", "0"},
                {"--idle-timeout must be", "serve", "--idle-timeout", "NaN"},
                {"--max-speed must be from 0.001 to 1000000000, not -1", "serve", "--max-speed", "-1"},
                {"--max-speed must be", "serve", "--max-speed", "Infinity"},
                {"--max-streams", "serve", "--max-streams", "many"},
        };
        for (String[] c : cases) {
            var r = TrainEvalRecognizeTest.run(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, r.exit(), c[0] + ": " + r.err());
            assertTrue(r.err().contains(c[0]), c[0] + ": " + r.err());
        }
    }

    /** The close a WebSocket client got, and the text messages before it. */
    static final class Client implements WebSocket.Listener {
        final CompletableFuture<String> firstText = new CompletableFuture<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            firstText.complete(data.toString());
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            closed.complete(code + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }
    }

    @Test
    void aServeProcessLimitsItsStreamsAndClosesThemWith1001WhenStopped() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "serve", "--port", "0", "--max-streams", "1");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Pattern serving = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+) \\(GET /v1/models, POST /v1/recognize, WS /v1/listen\\)");
            String port = null;
            for (String line; port == null && (line = out.readLine()) != null; ) {
                Matcher m = serving.matcher(line);
                if (m.find()) port = m.group(1);
            }
            assertNotNull(port, "serve said where it listens");
            URI listen = URI.create("ws://127.0.0.1:" + port + "/v1/listen");
            HttpClient http = HttpClient.newHttpClient();
            Client first = new Client(), second = new Client();
            http.newWebSocketBuilder().buildAsync(listen, first).get(20, TimeUnit.SECONDS);
            assertTrue(first.firstText.get(20, TimeUnit.SECONDS).startsWith("{\"type\":\"ready\""));
            http.newWebSocketBuilder().buildAsync(listen, second).get(20, TimeUnit.SECONDS);
            assertEquals("1013 too many streams: this server takes 1 at a time; try again later",
                    second.closed.get(20, TimeUnit.SECONDS), "--max-streams 1");
            p.destroy();  // SIGTERM, as Ctrl-C
            assertEquals("1001 the server is stopping", first.closed.get(20, TimeUnit.SECONDS));
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "serve ended");
        } finally {
            p.destroyForcibly();
        }
    }
}
