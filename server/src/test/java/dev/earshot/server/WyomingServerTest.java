package dev.earshot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.earshot.api.KeywordModel;
import dev.earshot.api.Spotter;
import dev.earshot.audio.Resampler;
import dev.earshot.audio.WavReader;
import dev.earshot.server.WyomingClient.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Wyoming service on a free loopback port with the bundled default and window models, spoken to by
 * {@link WyomingClient}: {@code info} lists the keywords; the demo recording streamed as {@code audio-chunk}s gives
 * the detections an in-process {@link Spotter} gives (as {@code listen --input demo/commands.wav --fast --json}), at
 * 16 kHz mono 16-bit and at 48 kHz stereo 32-bit and 8-bit; {@code detect} filters; silence is {@code not-detected};
 * clients run at once beside one sending garbage; and each bad input gets its {@code error}.
 */
class WyomingServerTest {
    static final Path DEMO = Path.of("..", "demo", "commands.wav");
    static final Path DEMO_WORDS = Path.of("..", "demo", "commands.txt");
    static KeywordModel model, windows;
    static WyomingServer server;
    /** Small limits and a short idle timeout, for the bad-input cases. */
    static WyomingServer strict;
    static final WyomingServer.Settings STRICT = new WyomingServer.Settings("127.0.0.1", 0, 4, 4096, 1024, 65536, 1500);
    static float[] demo;  // 16 kHz mono

    @BeforeAll
    static void start() throws Exception {
        model = KeywordModel.open("default");
        windows = KeywordModel.open("windows");
        Map<String, KeywordModel> both = Map.of("default", model, "windows", windows);
        server = WyomingServer.start(both, "default", WyomingServer.Settings.defaults().withAddress("127.0.0.1", 0));
        strict = WyomingServer.start(both, "default", STRICT);
        demo = WavReader.read(DEMO, 16000).samples();
    }

    @AfterAll
    static void stop() {
        server.close();
        strict.close();
        model.close();
        windows.close();
    }

    /** A detection as the client sees it. */
    record Heard(String name, long timeMs) {}

    /**
     * What an in-process spotter reports for mono {@code pcm} at {@code rate}, fed in 10 ms chunks as {@code listen}
     * feeds a file, with the wake-word names the server gives ({@code prefix} + label).
     */
    static List<Heard> inProcess(KeywordModel m, float[] pcm, int rate, String prefix) {
        return Demo.heard(m, m.detectionSettings(), rate, pcm).stream()
                .map(d -> new Heard(prefix + d.label(), d.timeMs())).toList();
    }

    /** {@code mono} as signed little-endian samples of {@code width} bytes, the same in each of {@code channels}. */
    static byte[] pcm(float[] mono, int width, int channels) {
        byte[] out = new byte[mono.length * width * channels];
        int p = 0;
        for (float x : mono) {
            long q = quantized(x, width);
            for (int c = 0; c < channels; c++) for (int b = 0; b < width; b++) out[p++] = (byte) (q >> (8 * b));
        }
        return out;
    }

    static long quantized(float x, int width) {
        long full = 1L << (8 * width - 1);
        return Math.max(-full, Math.min(full - 1, Math.round(x * (double) full)));
    }

    /** The samples {@link #pcm} really carries: each quantized value over 2^(bits-1). */
    static float[] asSent(float[] mono, int width) {
        float[] out = new float[mono.length];
        for (int i = 0; i < mono.length; i++) out[i] = (float) (quantized(mono[i], width) / (double) (1L << (8 * width - 1)));
        return out;
    }

    static ObjectNode format(int rate, int width, int channels) {
        ObjectNode f = WyomingClient.JSON.createObjectNode();
        f.put("rate", rate);
        f.put("width", width);
        f.put("channels", channels);
        return f;
    }

    static ObjectNode names(String... names) {
        ObjectNode d = WyomingClient.JSON.createObjectNode();
        Arrays.stream(names).forEach(d.putArray("names")::add);
        return d;
    }

    /**
     * Streams {@code pcm} as {@code audio-chunk}s of {@code chunkFrames} frames after {@code detect} (with
     * {@code detect} as its data) and returns the detections. After {@code audio-stop} a {@code ping} marks the end
     * of the answers; {@code not-detected} must come exactly when there was no detection.
     */
    static List<Heard> stream(WyomingClient c, ObjectNode detect, byte[] pcm, ObjectNode format, int chunkFrames)
            throws IOException {
        int frameBytes = format.get("width").asInt() * format.get("channels").asInt();
        c.send("detect", detect);
        c.send("audio-start", format);
        for (int p = 0; p < pcm.length; p += chunkFrames * frameBytes) {
            c.send("audio-chunk", format, Arrays.copyOfRange(pcm, p, Math.min(pcm.length, p + chunkFrames * frameBytes)));
        }
        c.send("audio-stop");
        c.send("ping");
        List<Event> answers = c.readUntil("pong");
        for (Event e : answers) {
            assertTrue(List.of("detection", "not-detected", "pong").contains(e.type()), "unexpected " + e.type() + " " + e.data());
        }
        List<Heard> heard = detections(answers);
        boolean notDetected = answers.stream().anyMatch(e -> e.type().equals("not-detected"));
        assertEquals(heard.isEmpty(), notDetected, "not-detected exactly when nothing was: " + WyomingClient.types(answers));
        return heard;
    }

    static List<Heard> detections(List<Event> answers) {
        return answers.stream().filter(e -> e.type().equals("detection"))
                .map(e -> new Heard(e.text("name"), e.data().get("timestamp").asLong())).toList();
    }

    static List<Heard> streamDemo(ObjectNode detect) throws IOException {
        try (WyomingClient c = new WyomingClient(server.port())) {
            return stream(c, detect, pcm(demo, 2, 1), format(16000, 2, 1), 1024);
        }
    }

    static List<String> keywords(KeywordModel m, String prefix) {
        return m.labels().stream().filter(m::isKeyword).map(l -> prefix + l).toList();
    }

    /** Keywords of commands.txt that {@code heard} found within 750 ms of where they were said. */
    static int wordsFound(List<Heard> heard, String prefix) throws IOException {
        int found = 0;
        for (String line : Files.readAllLines(DEMO_WORDS)) {
            String[] f = line.split(",\\s*");
            if (f[0].startsWith("_")) continue;
            long at = Long.parseLong(f[1].trim());
            if (heard.stream().anyMatch(h -> h.name().equals(prefix + f[0]) && Math.abs(h.timeMs() - at) <= 750)) found++;
        }
        return found;
    }

    @Test
    void describeListsEveryKeywordAsAWakeWord() throws Exception {
        try (WyomingClient c = new WyomingClient(server.port())) {
            c.send("describe");
            Event info = c.read();
            assertEquals("info", info.type());
            JsonNode wake = info.data().get("wake");
            assertEquals(1, wake.size(), "one wake program: Home Assistant uses the first only");
            JsonNode program = wake.get(0);
            assertEquals("earshot", program.get("name").asText());
            assertTrue(program.get("installed").asBoolean());
            assertTrue(program.get("attribution").has("name") && program.get("attribution").has("url"));
            List<String> listed = new ArrayList<>();
            for (JsonNode m : program.get("models")) {
                listed.add(m.get("name").asText());
                assertTrue(m.get("installed").asBoolean(), m.toString());
                assertEquals("en", m.get("languages").get(0).asText(), m.toString());
                assertTrue(m.get("attribution").get("url").asText().contains("1804.03209"), m.toString());
                String label = m.get("phrase").asText();
                assertTrue(m.get("name").asText().endsWith(label), m.toString());
                assertTrue(m.get("description").asText().startsWith(label), m.toString());
                assertTrue(m.has("version"), m.toString());
            }
            List<String> want = new ArrayList<>(keywords(model, ""));
            want.addAll(keywords(windows, "windows/"));
            assertEquals(want, listed);
            assertEquals(want, server.wakeWordNames());
            assertEquals(20, listed.size());
        }
    }

    @Test
    void theDemoRecordingGivesTheDetectionsOfAnInProcessSpotter() throws Exception {
        for (String prefix : List.of("", "windows/")) {
            KeywordModel m = prefix.isEmpty() ? model : windows;
            List<Heard> want = inProcess(m, demo, 16000, prefix);
            List<Heard> got = streamDemo(names(keywords(m, prefix).toArray(String[]::new)));
            assertEquals(want, got, prefix);
            assertTrue(wordsFound(want, prefix) >= 5, prefix + ": the spotter hears the recording's words: " + want);
        }
    }

    @Test
    void otherRatesWidthsAndChannelsGiveTheDetectionsOfASpotterAtThatRate() throws Exception {
        float[] at48k = Resampler.resample(demo, 16000, 48000);
        for (int width : new int[] {4, 1}) {
            List<Heard> want = inProcess(model, asSent(at48k, width), 48000, "");
            assertFalse(want.isEmpty(), "width " + width + ": something is heard");
            try (WyomingClient c = new WyomingClient(server.port())) {
                List<Heard> got = stream(c, names(keywords(model, "").toArray(String[]::new)), pcm(at48k, width, 2),
                        format(48000, width, 2), 4000);
                assertEquals(want, got, "48 kHz stereo, width " + width);
            }
        }
    }

    @Test
    void channelsAreAveraged() throws Exception {
        // Left is the recording, right its negative: a server that took one channel would hear the words.
        byte[] stereo = pcm(demo, 2, 2);
        for (int p = 2; p < stereo.length; p += 4) {
            short s = (short) (-((stereo[p] & 0xff) | (stereo[p + 1] << 8)));
            stereo[p] = (byte) s;
            stereo[p + 1] = (byte) (s >> 8);
        }
        try (WyomingClient c = new WyomingClient(server.port())) {
            assertEquals(List.of(), stream(c, names(keywords(model, "").toArray(String[]::new)), stereo, format(16000, 2, 2), 1600));
        }
    }

    @Test
    void detectNamesFilterTheDetections() throws Exception {
        List<Heard> all = inProcess(model, demo, 16000, "");
        List<Heard> stops = all.stream().filter(h -> h.name().equals("stop")).toList();
        assertFalse(stops.isEmpty(), "the recording's 'stop' is heard: " + all);
        assertTrue(stops.size() < all.size());
        assertEquals(stops, streamDemo(names("stop")));
        // No names (and an empty list) is every wake word of every model, the default model's first.
        List<Heard> everything = streamDemo(names());
        assertEquals(all, everything.stream().filter(h -> !h.name().contains("/")).toList());
        assertEquals(inProcess(windows, demo, 16000, "windows/"), everything.stream().filter(h -> h.name().contains("/")).toList());
    }

    @Test
    void silenceIsNotDetectedAndAConnectionCarriesSeveralStreams() throws Exception {
        try (WyomingClient c = new WyomingClient(server.port())) {
            assertEquals(List.of(), stream(c, null, new byte[2 * 32000], format(16000, 2, 1), 1600));
            // the same connection, a new stream: the filter of the last detect holds
            c.send("detect", names("stop"));
            c.send("audio-start", format(16000, 2, 1));
            byte[] pcm = pcm(demo, 2, 1);
            c.send("audio-chunk", format(16000, 2, 1), pcm);
            c.send("audio-stop");
            c.send("ping");
            List<Heard> heard = detections(c.readUntil("pong"));
            assertEquals(inProcess(model, demo, 16000, "").stream().filter(h -> h.name().equals("stop")).toList(), heard);
        }
    }

    @Test
    void twoClientsAtOnceGetTheirOwnAnswersWhileAThirdSendsGarbage() throws Exception {
        List<Heard> wantDefault = inProcess(model, demo, 16000, "");
        List<Heard> wantWindows = inProcess(windows, demo, 16000, "windows/");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<List<Heard>> a = pool.submit(() -> streamDemo(names(keywords(model, "").toArray(String[]::new))));
            Future<List<Heard>> b = pool.submit(() -> streamDemo(names(keywords(windows, "windows/").toArray(String[]::new))));
            Future<Integer> garbage = pool.submit(() -> {
                int refused = 0;
                while (!(a.isDone() && b.isDone())) {
                    try (WyomingClient c = new WyomingClient(server.port())) {
                        c.sendRaw("\u0000\u00ff not a header {\n");
                        Event e = c.read();
                        assertEquals("error", e.type());
                        assertEquals("not-json", e.text("code"));
                        assertNull(c.read(), "closed after the error");
                        refused++;
                    }
                }
                return refused;
            });
            assertEquals(wantDefault, a.get());
            assertEquals(wantWindows, b.get());
            assertTrue(garbage.get() >= 1);
        } finally {
            pool.shutdownNow();
        }
    }

    /** One bad input: what is sent, the error's code and a piece of its text, and whether the connection closes. */
    record Bad(String what, byte[] sent, String code, String text, boolean closes) {}

    static byte[] event(String type, ObjectNode data, byte[] payload) {
        ObjectNode header = WyomingClient.JSON.createObjectNode();
        header.put("type", type);
        if (data != null) header.set("data", data);
        if (payload != null) header.put("payload_length", payload.length);
        byte[] head = (header + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(head, head.length + (payload == null ? 0 : payload.length));
        if (payload != null) System.arraycopy(payload, 0, out, head.length, payload.length);
        return out;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void eachBadInputGetsItsErrorAndOnlyBrokenStreamsClose() throws Exception {
        byte[] start = event("audio-start", format(16000, 2, 1), null);
        byte[] longLine = new byte[STRICT.maxHeaderBytes() + 1];  // exactly what the server reads before refusing
        Arrays.fill(longLine, (byte) ' ');
        Bad[] cases = {
                new Bad("a header line too long", longLine, "header-too-long", "longer than the 4096 bytes", true),
                new Bad("not JSON", text("hello\n"), "not-json", "the header line is not JSON", true),
                new Bad("JSON, not an object", text("[1, 2]\n"), "not-json", "not a JSON object", true),
                new Bad("trailing garbage", text("{\"type\": \"describe\"} x\n"), "not-json", "not JSON", true),
                new Bad("no type", text("{\"data\": {}}\n"), "bad-header", "no \"type\"", true),
                new Bad("data not an object", text("{\"type\": \"detect\", \"data\": [1]}\n"), "bad-data", "not a JSON object", true),
                new Bad("extra data not JSON", text("{\"type\": \"detect\", \"data_length\": 3}\nabc"), "not-json", "data is not JSON", true),
                new Bad("data over the limit", text("{\"type\": \"detect\", \"data_length\": 1025}\n"), "data-too-long", "1025 bytes, more than the 1024", true),
                new Bad("payload over the limit", text("{\"type\": \"audio-chunk\", \"payload_length\": 65537}\n"), "payload-too-long", "65537 bytes, more than the 65536", true),
                new Bad("a negative length", text("{\"type\": \"audio-chunk\", \"payload_length\": -1}\n"), "bad-header", "whole number of bytes", true),
                new Bad("a length that is no number", text("{\"type\": \"audio-chunk\", \"payload_length\": \"10\"}\n"), "bad-header", "whole number of bytes", true),
                new Bad("audio-chunk before audio-start", event("audio-chunk", format(16000, 2, 1), new byte[320]), "no-stream", "audio-chunk before audio-start", true),
                new Bad("width 3", event("audio-start", format(16000, 3, 1), null), "bad-audio-format", "width must be 1, 2 or 4", true),
                new Bad("width 0", event("audio-start", format(16000, 0, 1), null), "bad-audio-format", "width must be 1, 2 or 4", true),
                new Bad("no channels", event("audio-start", format(16000, 2, 0), null), "bad-audio-format", "channels must be 1 to 32, not 0", true),
                new Bad("33 channels", event("audio-start", format(16000, 2, 33), null), "bad-audio-format", "channels must be 1 to 32, not 33", true),
                new Bad("a rate too low", event("audio-start", format(500, 2, 1), null), "bad-audio-format", "rate 500 Hz is outside", true),
                new Bad("no rate", event("audio-start", names(), null), "bad-audio-format", "audio-start has no \"rate\"", true),
                new Bad("a rate in words", text("{\"type\": \"audio-start\", \"data\": {\"rate\": \"fast\", \"width\": 2, \"channels\": 1}}\n"), "bad-audio-format", "\"rate\" must be a whole number", true),
                new Bad("part of a frame", concat(event("audio-start", format(16000, 2, 2), null),
                        event("audio-chunk", format(16000, 2, 2), new byte[6])), "partial-frame", "6 bytes are not whole frames of 4 bytes", true),
                new Bad("a chunk in another format", concat(start, event("audio-chunk", format(8000, 2, 1), new byte[320])), "format-changed", "rate is 8000", true),
                new Bad("an unknown wake word", event("detect", names("stop", "hey jarvis"), null), "unknown-wake-word", "no wake word named \"hey jarvis\" (served: yes, no,", false),
                new Bad("names not a list", text("{\"type\": \"detect\", \"data\": {\"names\": \"stop\"}}\n"), "bad-detect", "must be a list", false),
                new Bad("audio-stop without a stream", event("audio-stop", null, null), "no-stream", "audio-stop without audio-start", false),
        };
        for (Bad b : cases) {
            try (WyomingClient c = new WyomingClient(strict.port())) {
                c.sendRaw(b.sent());
                Event e = c.read();
                assertNotNull(e, b.what() + ": an answer before the close");
                assertEquals("error", e.type(), b.what());
                assertEquals(b.code(), e.text("code"), b.what() + ": " + e.data());
                assertTrue(e.text("text").contains(b.text()), b.what() + ": " + e.text("text"));
                if (b.closes()) {
                    assertNull(c.read(), b.what() + ": closed after the error");
                } else {
                    c.send("ping");
                    assertEquals("pong", c.read().type(), b.what() + ": the connection goes on");
                }
            }
        }
    }

    @Test
    void unknownEventsAreIgnoredAsWyomingOpenWakeWordDoes() throws Exception {
        try (WyomingClient c = new WyomingClient(strict.port())) {
            ObjectNode data = WyomingClient.JSON.createObjectNode().put("text", "hello");
            c.send("transcribe", data, new byte[100]);  // another service's event, with a payload to skip
            c.send("ping", data);
            Event pong = c.read();
            assertEquals("pong", pong.type(), "no error for the unknown event");
            assertEquals("hello", pong.text("text"));
        }
    }

    @Test
    void headerDataAndExtraDataAreMerged() throws Exception {
        try (WyomingClient c = new WyomingClient(server.port())) {
            // rate and width in the header's data, channels in the extra data (which wins where both give one)
            byte[] extra = text("{\"channels\": 1, \"width\": 2}");
            c.send("detect", names(keywords(model, "").toArray(String[]::new)));
            c.sendRaw(concat(text("{\"type\": \"audio-start\", \"data\": {\"rate\": 16000, \"width\": 4}, \"data_length\": "
                    + extra.length + "}\n"), extra));
            c.send("audio-chunk", null, pcm(demo, 2, 1));
            c.send("audio-stop");
            c.send("ping");
            assertEquals(inProcess(model, demo, 16000, ""), detections(c.readUntil("pong")), "16 kHz, 2 bytes, mono: as merged");
        }
    }

    @Test
    void anIdleClientIsToldAndClosed() throws Exception {
        try (WyomingClient c = new WyomingClient(strict.port())) {
            Event e = c.read();
            assertEquals("idle-timeout", e.text("code"));
            assertTrue(e.text("text").contains("1500 ms"), e.text("text"));
            assertNull(c.read());
        }
    }

    @Test
    void aClientThatVanishesMidStreamFreesItsPlaceAndSpotters() throws Exception {
        awaitTrue(() -> server.clients() == 0 && server.openSpotters.get() == 0, "the server is at rest");
        for (boolean reset : new boolean[] {false, true}) {
            WyomingClient c = new WyomingClient(server.port());
            c.send("audio-start", format(16000, 2, 1));
            c.send("audio-chunk", format(16000, 2, 1), new byte[3200]);
            // the header of a chunk, and a part of its payload
            c.sendRaw(concat(text("{\"type\": \"audio-chunk\", \"payload_length\": 3200}\n"), new byte[100]));
            awaitTrue(() -> server.openSpotters.get() == 2, "a spotter per model");
            if (reset) c.socket.setSoLinger(true, 0);  // an abortive close: a reset, as a crashed client's
            c.close();
            awaitTrue(() -> server.clients() == 0 && server.openSpotters.get() == 0, "the place and spotters freed");
        }
        assertEquals(List.of(), streamDemo(names("windows/yes")).stream().filter(h -> !h.name().equals("windows/yes")).toList());
    }

    @Test
    void aClientThatDoesNotReadItsAnswersIsDropped() throws Exception {
        WyomingClient c = new WyomingClient(strict.port(), 4096);
        // Thousands of describes, never reading the answers: the server's writes block once the buffers are full.
        Thread writer = new Thread(() -> {
            byte[] describes = text("{\"type\": \"describe\"}\n".repeat(1000));
            try {
                for (int i = 0; i < 200; i++) c.sendRaw(describes);
            } catch (IOException closedByTheServer) {
                // expected
            }
        });
        writer.start();
        awaitTrue(() -> !writer.isAlive() && strict.clients() == 0, "the stalled client dropped");
        c.close();
        try (WyomingClient other = new WyomingClient(strict.port())) {
            other.send("describe");
            assertEquals("info", other.read().type());
        }
    }

    @Test
    void clientsOverTheLimitAreToldTheServerIsBusy() throws Exception {
        WyomingServer.Settings two = new WyomingServer.Settings("127.0.0.1", 0, 2, 4096, 1024, 65536, 30_000);
        try (WyomingServer busy = WyomingServer.start(Map.of("default", model), "default", two);
             WyomingClient a = new WyomingClient(busy.port()); WyomingClient b = new WyomingClient(busy.port())) {
            for (WyomingClient c : List.of(a, b)) {
                c.send("ping");
                assertEquals("pong", c.read().type());
            }
            try (WyomingClient third = new WyomingClient(busy.port())) {
                Event e = third.read();
                assertEquals("busy", e.text("code"));
                assertTrue(e.text("text").contains("limit of 2 clients"), e.text("text"));
                assertNull(third.read());
            }
            a.close();
            awaitTrue(() -> busy.clients() == 1, "a place freed");
            try (WyomingClient again = new WyomingClient(busy.port())) {
                again.send("describe");
                assertEquals("info", again.read().type());
            }
        }
    }

    @Test
    void badSettingsAndModelsAreRefused() {
        assertThrows("port must be", () -> new WyomingServer.Settings("127.0.0.1", 70000, 1, 4096, 0, 0, 1));
        assertThrows("maxClients", () -> new WyomingServer.Settings("127.0.0.1", 0, 0, 4096, 0, 0, 1));
        assertThrows("idleTimeoutMs", () -> new WyomingServer.Settings("127.0.0.1", 0, 1, 4096, 0, 0, 0));
        assertThrows("not among", () -> WyomingServer.start(Map.of("default", model), "windows", STRICT));
        assertThrows("no models", () -> WyomingServer.start(Map.of(), "default", STRICT));
        assertThrows("cannot listen on 127.0.0.1:" + server.port(),
                () -> WyomingServer.start(Map.of("default", model), "default", STRICT.withAddress("127.0.0.1", server.port())));
    }

    interface Failing {
        void run() throws Exception;
    }

    static void assertThrows(String message, Failing f) {
        try {
            f.run();
        } catch (Exception e) {
            assertTrue(e.getMessage().contains(message), e.getMessage());
            return;
        }
        fail("no error: " + message);
    }

    /** Waits (30 s at most) for something the server does on its own threads. */
    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("not within 30 s: " + what);
            Thread.sleep(20);
        }
    }
}
