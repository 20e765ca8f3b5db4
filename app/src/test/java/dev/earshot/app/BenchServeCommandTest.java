package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * {@code earshot bench serve} in a few seconds: two streams of the demo through a real server, every pass checked
 * against one spotter's detections, and its bad options refused. (Its numbers: BENCHMARKS.md.)
 */
class BenchServeCommandTest {
    @Test
    void twoStreamsGiveOneSpottersDetectionsEveryPass() throws Exception {
        var r = TrainEvalRecognizeTest.run("bench", "serve", "--input", "../demo/commands.wav", "--streams", "2",
                "--speed", "30", "--seconds", "2", "--warmup", "0.5", "--json");
        assertEquals(0, r.exit(), r.out() + r.err());
        String[] lines = r.out().trim().split("\n");
        JsonNode j = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertEquals(2, j.get("streams").asInt());
        assertTrue(j.get("passes").asInt() >= 2, r.out());
        assertEquals(0, j.get("wrong_passes").asInt(), r.out());
        assertEquals(0, j.get("failed_streams").asInt(), r.out());
        assertTrue(j.get("detections").asInt() > 0 && j.get("p99_ms").asDouble() > 0, r.out());
        assertTrue(j.get("realtime_streams").asDouble() > 0, r.out());
    }

    @Test
    void badOptionsAreRefused() {
        String[][] cases = {
                {"--streams must be from 1 to 10000, not 0", "--streams", "0"},
                {"--speed must be 0 or more, not -2", "--speed", "-2"},
                {"--seconds must be greater than 0, not 0", "--seconds", "0"},
                {"--input nothing.wav: no such file", "--input", "nothing.wav"},
        };
        for (String[] c : cases) {
            var r = TrainEvalRecognizeTest.run("bench", "serve", c[1], c[2]);
            assertEquals(2, r.exit(), c[0] + ": " + r.err());
            assertTrue(r.err().contains(c[0]), c[0] + ": " + r.err());
        }
    }
}
