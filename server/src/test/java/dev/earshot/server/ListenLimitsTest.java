package dev.earshot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.earshot.api.Detection;
import dev.earshot.api.KeywordModel;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code WS /v1/listen}'s limits and bad input, each on a server of its own with the limit under test: every bad
 * query, message and client is closed with its close code and a reason naming the problem (or, for a text message
 * it cannot use, answered with an error while the stream goes on), and a good client streaming the demo meanwhile on
 * the same server gets exactly the in-process spotter's detections.
 */
class ListenLimitsTest {
    static KeywordModel model, windows;
    static short[] demo;
    static List<Detection> heard;
    static final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeAll
    static void load() throws Exception {
        model = KeywordModel.open("default");
        windows = KeywordModel.open("windows");
        demo = Demo.pcm();
        heard = Demo.listen(model, model.detectionSettings());
    }

    @AfterAll
    static void unload() {
        pool.shutdownNow();
        model.close();
        windows.close();
    }

    static EarshotServer serve(int maxStreams, int maxMessageBytes, Duration idle, double maxSpeed) throws Exception {
        return EarshotServer.start(Map.of("default", model, "windows", windows), "default",
                new EarshotServer.Settings("127.0.0.1", 0, 1 << 20,
                        new EarshotServer.StreamLimits(maxStreams, maxMessageBytes, idle, maxSpeed)));
    }

    static EarshotServer serve() throws Exception {
        return serve(16, 64 << 10, Duration.ofSeconds(30), 1000);
    }

    /**
     * A good client on its own thread: the demo in 100 ms messages, a little faster than 20 times real time, so that
     * it streams while the test's bad clients act. Its detections, once it has sent the whole demo.
     */
    static Future<List<Detection>> goodClient(EarshotServer server) {
        Callable<List<Detection>> c = () -> {
            try (ListenClient good = ListenClient.ready(server, "")) {
                for (int i = 0; i < demo.length; i += 1600) {
                    good.send(ListenClient.littleEndian(demo, i, Math.min(1600, demo.length - i)));
                    Thread.sleep(4);
                }
                return ListenClient.detections(good.flush());
            }
        };
        return pool.submit(c);
    }

    static void assertClosed(ListenClient c, int code, String reason) throws Exception {
        ListenClient.Closed closed = c.awaitClose();
        assertEquals(code, closed.code(), closed.toString());
        assertTrue(closed.reason().contains(reason), closed + " should say " + reason);
    }

    static void awaitNoStreams(EarshotServer server) throws InterruptedException {
        for (int i = 0; i < 1000 && server.openStreams() > 0; i++) Thread.sleep(10);
        assertEquals(0, server.openStreams(), "every stream's spotter freed");
    }

    @Test
    void badQueriesAreClosedWith1008NamingTheProblem() throws Exception {
        try (EarshotServer server = serve()) {
            Future<List<Detection>> good = goodClient(server);
            String[][] cases = {
                    {"?model=nope", "no model named 'nope' (loaded: default, windows)"},
                    {"?rate=abc", "rate must be a whole number of Hz from 1000 to 1000000, not 'abc'"},
                    {"?rate=999", "rate must be"},
                    {"?rate=1000001", "rate must be"},
                    {"?posteriors=yes", "posteriors must be true or false, not 'yes'"},
                    {"?threshold=0", "threshold must be a number in (0, 1], not '0'"},
                    {"?threshold=1.5", "threshold must be"},
                    {"?threshold=NaN", "threshold must be"},
                    {"?modle=windows", "unknown parameter 'modle'"},
                    {"?rate=16000&rate=8000", "rate is given twice"},
                    {"?model=" + "%C3%A9".repeat(150), "no model named 'ééé"},  // 150 two-byte é
            };
            for (String[] c : cases) {
                try (ListenClient bad = ListenClient.connect(server, c[0])) {
                    assertClosed(bad, 1008, c[1]);
                    assertTrue(bad.messages.isEmpty(), "no ready message: " + bad.messages);
                }
            }
            try (ListenClient longName = ListenClient.connect(server, cases[cases.length - 1][0])) {
                String reason = longName.awaitClose().reason();
                assertTrue(reason.endsWith("é…") && reason.getBytes(StandardCharsets.UTF_8).length <= 123,
                        "cut to a close frame's 123 bytes between characters: " + reason);
            }
            assertEquals(heard, good.get(60, TimeUnit.SECONDS));
            awaitNoStreams(server);
        }
    }

    @Test
    void badMessagesAreClosedWithTheirCodes() throws Exception {
        try (EarshotServer server = serve(16, 64 << 10, Duration.ofSeconds(30), 1000)) {
            Future<List<Detection>> good = goodClient(server);
            try (ListenClient odd = ListenClient.ready(server, "")) {
                odd.send(new byte[3200]);
                odd.send(new byte[3201]);
                assertClosed(odd, 1007, "a binary message of 3201 bytes is not whole 16-bit samples");
            }
            try (ListenClient big = ListenClient.ready(server, "")) {
                big.send(new byte[64 << 10]);  // at the limit: taken
                sendIgnoringTheClose(big, new byte[(64 << 10) + 2]);
                ListenClient.Closed closed = big.awaitClose();
                assertEquals(1009, closed.code(), closed.toString());
                assertTrue(closed.reason().contains("Binary message too large"), closed.reason());
            }
            try (ListenClient bigText = ListenClient.ready(server, "")) {
                sendIgnoringTheClose(bigText, "{\"type\":\"reset\",\"pad\":\"" + "x".repeat(70_000) + "\"}");
                assertEquals(1009, bigText.awaitClose().code());
            }
            assertEquals(heard, good.get(60, TimeUnit.SECONDS));
            awaitNoStreams(server);
        }
    }

    private static void sendIgnoringTheClose(ListenClient c, Object message) {
        try {
            if (message instanceof byte[] b) c.send(b);
            else c.send((String) message);
        } catch (Exception e) {
            // The server may close before the client has sent all of it: the close is what is tested.
        }
    }

    @Test
    void textMessagesItCannotUseAreAnsweredAndTheStreamGoesOn() throws Exception {
        try (EarshotServer server = serve()) {
            Future<List<Detection>> good = goodClient(server);
            String[][] cases = {
                    {"hello", "not JSON"},
                    {"[1,2]", "a text message must be a JSON object with a \"type\""},
                    {"{\"kind\":\"reset\"}", "a text message must be a JSON object with a \"type\""},
                    {"{\"type\":\"stop\"}", "unknown message type 'stop': reset or config"},
                    {"{\"type\":\"reset\",\"now\":true}", "a reset message has only a \"type\""},
                    {"{\"type\":\"config\",\"threshold\":5}", "threshold must be a number in (0, 1], or null for the model's own, not 5"},
                    {"{\"type\":\"config\",\"threshold\":\"high\"}", "threshold must be"},
                    {"{\"type\":\"config\",\"threshold\":0.3,\"posteriors\":\"yes\"}", "posteriors must be true or false, not \"yes\""},
                    {"{\"type\":\"config\",\"treshold\":0.3}", "a config message has no field 'treshold' (threshold, posteriors)"},
                    {"", "a text message must be a JSON object"},
            };
            try (ListenClient c = ListenClient.ready(server, "")) {
                int half = demo.length / 2;
                c.stream(Arrays.copyOf(demo, half), 1600);
                List<JsonNode> detections = new ArrayList<>();
                for (String[] t : cases) {
                    c.send(t[0]);
                    JsonNode answer = c.next();
                    for (; answer.get("type").asText().equals("detection"); answer = c.next()) detections.add(answer);
                    assertEquals("error", answer.get("type").asText(), t[0] + ": " + answer);
                    assertTrue(answer.get("error").asText().contains(t[1]), t[0] + ": " + answer);
                }
                c.stream(Arrays.copyOfRange(demo, half, demo.length), 1600);
                detections.addAll(c.flush());
                // The bad configs changed nothing (the one with a good threshold and a bad posteriors neither).
                assertEquals(heard, ListenClient.detections(detections));
            }
            assertEquals(heard, good.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void aClientThatVanishesFreesItsSpotter() throws Exception {
        try (EarshotServer server = serve()) {
            List<ListenClient> gone = new ArrayList<>();
            for (int k = 0; k < 10; k++) {
                ListenClient c = ListenClient.ready(server, k % 2 == 0 ? "" : "?model=windows&rate=44100");
                c.stream(Arrays.copyOf(demo, 16000 + 1000 * k), 1600);
                gone.add(c);
            }
            Future<List<Detection>> good = goodClient(server);
            for (ListenClient c : gone) c.abort();
            assertEquals(heard, good.get(60, TimeUnit.SECONDS));
            awaitNoStreams(server);
            Future<List<Detection>> after = goodClient(server);
            assertEquals(heard, after.get(60, TimeUnit.SECONDS));
        }
    }

    /**
     * A client that reads nothing the server sends: once the socket's buffers are full the server's sends block, so
     * it reads no more from that client (holding no more of it than a message); Jetty gives up on the send after
     * the idle timeout, and the server drops the connection. The answers here are errors echoing a 60 kB message
     * type, which fill the buffers at little cost; posteriors for audio take the same way out.
     */
    @Test
    void aClientThatStopsReadingIsDropped() throws Exception {
        try (EarshotServer server = serve(16, 64 << 10, Duration.ofSeconds(1), 1e6)) {
            ListenClient deaf = ListenClient.connect(server, "?posteriors=true", false);
            Future<List<Detection>> good = goodClient(server);
            deaf.send(ListenClient.littleEndian(demo, 0, 16000));
            String unusable = "{\"type\":\"" + "x".repeat(60_000) + "\"}";
            int sent = 0;
            try {
                for (; sent < 2000; sent++) deaf.send(unusable, 3);  // up to 120 MB of answers
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException stalled) {
                // the server stopped reading, or dropped the connection already
            }
            assertTrue(sent < 2000, "the server took " + sent + " messages it could not answer");
            assertEquals(heard, good.get(60, TimeUnit.SECONDS));
            awaitNoStreams(server);
            deaf.abort();
        }
    }

    @Test
    void connectionsOverTheLimitAreToldToTryAgainLater() throws Exception {
        try (EarshotServer server = serve(2, 64 << 10, Duration.ofSeconds(30), 1000)) {
            ListenClient a = ListenClient.ready(server, ""), b = ListenClient.ready(server, "?model=windows");
            try (ListenClient c = ListenClient.connect(server, "")) {
                assertClosed(c, 1013, "too many streams: this server takes 2 at a time; try again later");
            }
            assertTrue(a.stream(demo, 1600));
            assertEquals(heard, ListenClient.detections(a.flush()), "the open streams go on");
            a.close();
            for (int i = 0; i < 500 && server.openStreams() > 1; i++) Thread.sleep(10);
            assertEquals(heard, goodClient(server).get(60, TimeUnit.SECONDS), "a place again once one closed");
            b.close();
            awaitNoStreams(server);
        }
    }

    @Test
    void anIdleStreamIsClosed() throws Exception {
        try (EarshotServer server = serve(16, 64 << 10, Duration.ofMillis(700), 1000)) {
            try (ListenClient idle = ListenClient.ready(server, ""); ListenClient busy = ListenClient.ready(server, "")) {
                long start = System.nanoTime();
                // The busy one sends 100 ms of audio every 100 ms, so it is never idle for 700 ms.
                for (int i = 0; i < 20 && !idle.closed.isDone(); i++) {
                    busy.send(ListenClient.littleEndian(demo, 1600 * i, 1600));
                    Thread.sleep(100);
                }
                ListenClient.Closed closed = idle.awaitClose();
                double seconds = (System.nanoTime() - start) / 1e9;
                assertEquals(1001, closed.code(), closed.toString());
                assertTrue(closed.reason().toLowerCase().contains("idle"), closed.reason());
                assertTrue(seconds >= 0.6, "closed after " + seconds + " s");
                assertFalse(busy.closed.isDone(), "the busy stream stays open");
                busy.send(ListenClient.littleEndian(demo, 0, 1600));
                busy.flush();
            }
            awaitNoStreams(server);
        }
    }

    @Test
    void aStreamOverTheSpeedLimitIsClosed() throws Exception {
        // 4 times real time, 20 s of audio ahead: the good client's 21 s at over 20 times real time just fits.
        try (EarshotServer server = serve(16, 64 << 10, Duration.ofSeconds(30), 4)) {
            Future<List<Detection>> good = goodClient(server);
            try (ListenClient fast = ListenClient.ready(server, "")) {
                short[] three = new short[3 * demo.length];
                for (int k = 0; k < 3; k++) System.arraycopy(demo, 0, three, k * demo.length, demo.length);
                long start = System.nanoTime();
                fast.stream(three, 16000);  // may all be sent (into the socket's buffers) before the close comes back
                assertClosed(fast, 1008, "over the speed limit of 4 s of audio per second (averaged over 5 s)");
                assertTrue((System.nanoTime() - start) / 1e9 < 10, "closed before the minute of audio could have gone");
            }
            assertEquals(heard, good.get(60, TimeUnit.SECONDS));
            // Within the limit: a steady 2 times real time for 6 s, after the first 20 s at once.
            try (ListenClient steady = ListenClient.ready(server, "")) {
                assertTrue(steady.stream(Arrays.copyOf(demo, 20 * 16000), 16000));
                for (int s = 0; s < 6; s++) {
                    Thread.sleep(500);
                    steady.send(ListenClient.littleEndian(demo, s * 16000, 16000));
                }
                steady.flush();
                assertFalse(steady.closed.isDone());
            }
        }
    }

    @Test
    void stoppingTheServerClosesItsStreamsWith1001() throws Exception {
        EarshotServer server = serve();
        ListenClient a = ListenClient.ready(server, ""), b = ListenClient.ready(server, "?model=windows&posteriors=true");
        a.stream(Arrays.copyOf(demo, 32000), 1600);
        server.close();
        assertClosed(a, 1001, "the server is stopping");
        assertClosed(b, 1001, "the server is stopping");
        assertEquals(0, server.openStreams());
    }

    @Test
    void plainHttpOnTheStreamPathIsTold426() throws Exception {
        try (EarshotServer server = serve()) {
            HttpResponse<String> r = ListenClient.HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/v1/listen")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(426, r.statusCode(), r.body());
            assertEquals("websocket", r.headers().firstValue("Upgrade").orElse(""));
            assertTrue(ListenClient.JSON.readTree(r.body()).get("error").asText().contains("is a WebSocket"), r.body());
        }
    }
}
