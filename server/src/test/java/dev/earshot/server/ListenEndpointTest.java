package dev.earshot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.earshot.api.Detection;
import dev.earshot.api.DetectionSettings;
import dev.earshot.api.KeywordModel;
import dev.earshot.api.Spotter;
import dev.earshot.api.SpotterListener;
import dev.earshot.audio.Resampler;
import dev.earshot.audio.WavReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code WS /v1/listen} against an in-process {@link Spotter} on the same samples: the demo recording streamed in
 * chunks of many sizes gives {@code listen --fast --json}'s detections for both bundled models, 48 kHz input gives a
 * 48 kHz spotter's, posteriors come every 100 ms with the spotter's smoothed values, and reset and config do what
 * the protocol says. (Limits and bad input: {@link ListenLimitsTest}.)
 */
class ListenEndpointTest {
    static KeywordModel model, windows;
    static EarshotServer server;
    static short[] demo;

    @BeforeAll
    static void start() throws Exception {
        model = KeywordModel.open("default");
        windows = KeywordModel.open("windows");
        server = EarshotServer.start(Map.of("default", model, "windows", windows), "default",
                new EarshotServer.Settings("127.0.0.1", 0, 1 << 20, unlimitedSpeed()));
        demo = Demo.pcm();
    }

    /** The default limits but the speed: these tests send a minute of audio in a second (ListenLimitsTest tests it). */
    static EarshotServer.StreamLimits unlimitedSpeed() {
        EarshotServer.StreamLimits d = EarshotServer.StreamLimits.defaults();
        return new EarshotServer.StreamLimits(d.maxStreams(), d.maxMessageBytes(), d.idleTimeout(), 1e6);
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
        windows.close();
    }

    /** The detections of one connection streaming {@code pcm} in {@code chunks}. */
    static List<Detection> stream(String query, short[] pcm, int... chunks) throws Exception {
        try (ListenClient c = ListenClient.ready(server, query)) {
            assertTrue(c.stream(pcm, chunks));
            return ListenClient.detections(c.flush());
        }
    }

    @Test
    void streamsGiveListensDetectionsWhateverTheChunks() throws Exception {
        int[][] chunkings = {{160}, {4000}, {16000}, {1601}, {1, 7, 333, 2999, 12345}};
        for (String name : List.of("default", "windows")) {
            KeywordModel m = name.equals("default") ? model : windows;
            List<Detection> want = Demo.listen(m, m.detectionSettings());
            Demo.assertHearsTheCommands(want);
            for (int[] chunks : chunkings) {
                String query = name.equals("default") ? "" : "?model=windows";
                assertEquals(want, stream(query, demo, chunks), name + " in chunks of " + Arrays.toString(chunks));
            }
        }
    }

    @Test
    void readySaysWhatTheStreamListensWith() throws Exception {
        try (ListenClient c = ListenClient.connect(server, "?model=windows&rate=48000")) {
            JsonNode ready = c.next();
            assertEquals("ready", ready.get("type").asText());
            assertEquals("windows", ready.get("model").asText());
            assertEquals(48000, ready.get("rate").asInt());
            assertEquals(16000, ready.get("model_rate").asInt());
            assertEquals(1e6, ready.get("max_speed").asDouble(), "the server's --max-speed");
            List<String> labels = new ArrayList<>(), keywords = new ArrayList<>();
            ready.get("labels").forEach(l -> labels.add(l.asText()));
            ready.get("keywords").forEach(l -> keywords.add(l.asText()));
            assertEquals(windows.labels(), labels);
            assertEquals(windows.labels().stream().filter(windows::isKeyword).toList(), keywords);
            assertEquals(10, keywords.size());
        }
        try (ListenClient c = ListenClient.connect(server, "")) {
            JsonNode ready = c.next();
            assertEquals("default", ready.get("model").asText());
            assertEquals(16000, ready.get("rate").asInt(), "the model's rate by default");
        }
    }

    @Test
    void audioAt48kHzIsResampledAsTheSpotterDoes() throws Exception {
        float[] at16 = WavReader.read(Demo.WAV, 16000).samples();
        short[] at48 = Demo.shorts(Resampler.resample(at16, 16000, 48000));
        List<Detection> want = Demo.heard(model, model.detectionSettings(), 48000, at48);
        Demo.assertHearsTheCommands(want);
        assertEquals(want, stream("?rate=48000", at48, 48000));
        assertEquals(want, stream("?rate=48000", at48, 480, 4801, 3));
        // The same samples taken as 16 kHz audio are three times as long and heard otherwise.
        assertNotEquals(want, stream("", at48, 48000));
    }

    /** Each posteriors message an in-process spotter's smoothed keyword scores at that time. */
    @Test
    void posteriorsComeEvery100MsWithTheSmoothedScores() throws Exception {
        for (KeywordModel m : List.of(model, windows)) {
            String name = m == model ? "default" : "windows";
            Map<Long, float[]> smoothed = new LinkedHashMap<>();
            List<Detection> want = new ArrayList<>();
            try (Spotter s = new Spotter(m, m.detectionSettings(), new SpotterListener() {
                @Override
                public void onDetection(Detection d) {
                    want.add(d);
                }

                @Override
                public void onPosteriors(long timeMs, float[] posteriors, float[] smooth) {
                    smoothed.put(timeMs, smooth.clone());
                }
            })) {
                s.accept(demo);
            }
            Set<String> keywords = new TreeSet<>(m.labels().stream().filter(m::isKeyword).toList());
            try (ListenClient c = ListenClient.ready(server, "?posteriors=true&model=" + name)) {
                for (int pass = 0; pass < 2; pass++) {  // the second after a reset: the same again, from time 0
                    c.stream(demo, 3200);
                    List<JsonNode> got = c.flush();
                    assertEquals(want, ListenClient.detections(got), name);
                    List<JsonNode> posteriors = got.stream().filter(j -> j.get("type").asText().equals("posteriors")).toList();
                    assertTrue(posteriors.size() >= demo.length / 1600 - 15, name + ": " + posteriors.size() + " posteriors");
                    long last = Long.MIN_VALUE;
                    for (JsonNode p : posteriors) {
                        long t = p.get("time_ms").asLong();
                        if (last != Long.MIN_VALUE) assertEquals(100, t - last, name + " at " + t);
                        last = t;
                        Set<String> keys = new TreeSet<>();
                        p.get("scores").fieldNames().forEachRemaining(keys::add);
                        assertEquals(keywords, keys);
                        float[] s = smoothed.get(t);
                        for (int k = 0; k < s.length; k++) {
                            if (!m.isKeyword(k)) continue;
                            assertEquals(s[k], (float) p.get("scores").get(m.labels().get(k)).doubleValue(), 0f,
                                    name + " " + m.labels().get(k) + " at " + t);
                        }
                    }
                    assertEquals(smoothed.keySet().iterator().next(), posteriors.get(0).get("time_ms").asLong(),
                            "the first posteriors are the spotter's first");
                }
            }
        }
    }

    @Test
    void aThresholdAppliesToTheAudioAfterIt() throws Exception {
        DetectionSettings tuned = model.detectionSettings(), low = tuned.withThreshold(0.3f);
        List<Detection> atTuned = Demo.listen(model, tuned), atLow = Demo.listen(model, low);
        assertNotEquals(atTuned, atLow, "0.3 must change what is heard, or this test proves nothing");
        assertEquals(atLow, stream("?threshold=0.3", demo, 1600));
        try (ListenClient c = ListenClient.ready(server, "")) {
            c.send("{\"type\":\"config\",\"threshold\":0.3}");
            c.stream(demo, 1600);
            assertEquals(atLow, ListenClient.detections(c.flush()));
            c.send("{\"type\":\"config\",\"threshold\":null}");
            c.stream(demo, 1600);
            assertEquals(atTuned, ListenClient.detections(c.flush()), "null: the model's own again");

            // Midway: the tuned detector hears the first 10 s; a fresh one at 0.3 the rest, at stream times.
            int split = 10 * 16000;
            short[] first = Arrays.copyOf(demo, split), rest = Arrays.copyOfRange(demo, split, demo.length);
            List<Detection> want = new ArrayList<>(Demo.heard(model, tuned, 16000, first));
            for (Detection d : Demo.heard(model, low, 16000, rest)) {
                want.add(new Detection(d.label(), d.confidence(), d.timeMs() + 10_000));
            }
            c.stream(first, 1600);
            c.send("{\"type\":\"config\",\"threshold\":0.3}");
            c.stream(rest, 1600);
            List<Detection> got = ListenClient.detections(c.flush());
            assertEquals(want, got);
            assertTrue(got.stream().anyMatch(d -> d.timeMs() > 10_000), "detections after the change: " + got);
        }
    }

    @Test
    void configTurnsPosteriorsOnAndOffWithoutRestarting() throws Exception {
        List<Detection> want = Demo.listen(model, model.detectionSettings());
        try (ListenClient c = ListenClient.ready(server, "")) {
            int third = demo.length / 3;
            c.stream(Arrays.copyOf(demo, third), 1600);
            c.send("{\"type\":\"config\",\"posteriors\":true}");
            c.stream(Arrays.copyOfRange(demo, third, 2 * third), 1600);
            c.send("{\"type\":\"config\",\"posteriors\":false}");
            c.stream(Arrays.copyOfRange(demo, 2 * third, demo.length), 1600);
            c.send("{\"type\":\"reset\"}");
            List<JsonNode> got = new ArrayList<>();
            for (JsonNode m = c.next(); !m.get("type").asText().equals("reset"); m = c.next()) got.add(m);
            List<Long> times = got.stream().filter(j -> j.get("type").asText().equals("posteriors"))
                    .map(j -> j.get("time_ms").asLong()).toList();
            assertFalse(times.isEmpty());
            // A window is heard half a clip (500 ms) before it ends: posteriors between the two configs.
            long from = third * 1000L / 16000 - 500, to = 2 * third * 1000L / 16000 - 500;
            assertTrue(times.get(0) >= from && times.get(times.size() - 1) <= to, from + " to " + to + ": " + times);
            assertTrue(times.size() >= (to - from) / 100 - 1, times.toString());
            assertEquals(want, ListenClient.detections(got), "neither config restarted the stream");
        }
    }
}
