package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.api.Detection;
import dev.earshot.api.DetectionSettings;
import dev.earshot.api.KeywordModel;
import dev.earshot.app.StreamingEval.NegativesRecipe;
import dev.earshot.app.StreamingEval.Recipe;
import dev.earshot.app.StreamingEval.Stats;
import dev.earshot.app.StreamingEval.Truth;
import dev.earshot.datasets.NegativeAudio;
import dev.earshot.datasets.Pcm16Wav;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TensorFlow's streaming scoring (test_streaming_accuracy) on hand-made ground truth and detections, what the
 * false accepts landed on, and generated streams' ground truth.
 */
class StreamingEvalTest {
    private static KeywordModel model;  // the bundled default: its keywords decide what is a command

    @BeforeAll
    static void load() throws IOException {
        model = KeywordModel.bundled();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void scoresAsTensorFlowDoes() {
        List<Truth> truth = List.of(
                new Truth("yes", 1000, "yes/a.wav"),
                new Truth("no", 3000, "no/b.wav"),
                new Truth(KeywordModel.UNKNOWN, 5000, "two/c.wav"),
                new Truth("up", 7000, "up/d.wav"),
                new Truth("go", 9000, "go/e.wav"));
        List<Detection> found = List.of(
                new Detection("yes", 0.9f, 1700),     // within 750 ms of yes: correct
                new Detection("yes", 0.9f, 1740),     // yes is taken; nothing else near: a false accept
                new Detection("off", 0.8f, 2300),     // the first unmatched word within 750 ms is "no": wrong
                new Detection("go", 0.7f, 5200),      // on an unknown word: a false accept
                new Detection("up", 0.7f, 7751),      // 751 ms late: missed, and a false accept
                new Detection("go", 0.6f, 8250));     // 750 ms early: correct
        List<String> on = new ArrayList<>();
        Stats s = StreamingEval.score(truth, found, 750, 0.5, model, on);
        assertEquals(5, s.truths());
        assertEquals(4, s.commands());
        assertEquals(3, s.matched());
        assertEquals(2, s.correct());
        assertEquals(1, s.wrong());
        assertEquals(3, s.falsePositives());
        assertEquals(6.0, s.falseAcceptsPerHour(), 1e-12);
        assertEquals(50.0, s.pct(s.correct()), 1e-12);
        assertEquals(List.of("(no word) -> yes", "two/c.wav -> go", "(no word) -> up"), on);
        assertEquals(s, StreamingEval.score(truth, found, 750, 0.5, model), "the same counts without the list");
    }

    @Test
    void groundTruthFileLinesAreTheirOwnSaid(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("truth.txt");
        Files.writeString(f, "# label, ms\nyes, 1200\n\n_unknown_, 3400\n");
        assertEquals(List.of(new Truth("yes", 1200, "yes"), new Truth("_unknown_", 3400, "_unknown_")),
                StreamingEval.readTruth(f));
        Files.writeString(f, "yes, 1200\nno 3400\n");
        IOException e = assertThrows(IOException.class, () -> StreamingEval.readTruth(f));
        assertTrue(e.getMessage().contains(f + ":2") && e.getMessage().contains("no 3400"), e.getMessage());
    }

    /**
     * A generated stream's truth names the clips said, a word every 2 s, each labelled with its word (every toy
     * word is one of the default model's commands); a stream of unknown words from them is refused.
     */
    @Test
    void generatedTruthNamesTheClipsSaid(@TempDir Path dir) throws IOException {
        Path data = ToyDataset.write(dir.resolve("toy"), 3, 2, 5);
        List<Truth> truth = new ArrayList<>();
        float[] pcm = StreamingEval.generate(model, new Recipe(data, null, "all", 1, 2000, 0, 0.1, 7), truth);
        assertEquals(60 * 16000, pcm.length);
        assertEquals(29, truth.size(), truth.toString());
        long last = -1;
        for (Truth t : truth) {
            assertTrue(Files.isRegularFile(data.resolve(t.said())), t.said());
            assertEquals(t.said().substring(0, t.said().indexOf('/')), t.label());
            assertTrue(t.timeMs() > last && t.timeMs() < 60_000, truth.toString());
            last = t.timeMs();
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StreamingEval.generate(model,
                new Recipe(data, null, "all", 1, 2000, 100, 0.1, 7), new ArrayList<>()));
        assertTrue(e.getMessage().contains("no clips of words other than the model's commands in " + data), e.getMessage());
        // A share of unknown words from data that has none (one's own enrolled words): a stream of the commands alone.
        List<Truth> only = new ArrayList<>();
        StreamingEval.generate(model, new Recipe(data, null, "all", 1, 2000, 30, 0.1, 7), only);
        assertEquals(29, only.size());
        assertTrue(only.stream().noneMatch(t -> t.label().equals(dev.earshot.api.KeywordModel.UNKNOWN)), only.toString());
    }

    /**
     * Latency counts correct detections only, from the word's end: not an unmatched one, one on an unknown word, one
     * with the wrong label, or one whose word's end is unknown. Nearest rank: of 100, 200, 300, 600 ms the median is
     * the 2nd, the 90th percentile the 4th.
     */
    @Test
    void latencyIsMedianAndP90OfCorrectDetectionsFromTheWordsEnd() {
        List<Truth> truth = List.of(
                new Truth("yes", 1000, "yes/a.wav", 1300),
                new Truth("no", 3000, "no/b.wav", 3200),
                new Truth("up", 5000, "up/c.wav", 5250),
                new Truth("go", 7000, "go/d.wav"),                        // end unknown
                new Truth(KeywordModel.UNKNOWN, 9000, "two/e.wav", 9100),
                new Truth("left", 11000, "left/f.wav", 11400),
                new Truth("down", 13500, "down/g.wav", 13600));
        List<Detection> found = List.of(
                new Detection("yes", 0.9f, 1500),      // 200 ms
                new Detection("no", 0.9f, 3500),       // 300 ms
                new Detection("up", 0.9f, 5350),       // 100 ms
                new Detection("go", 0.9f, 7200),       // correct, but its word's end is unknown
                new Detection("off", 0.9f, 9100),      // on an unknown word
                new Detection("right", 0.9f, 11300),   // wrong label
                new Detection("down", 0.9f, 14200),    // 600 ms
                new Detection("yes", 0.9f, 20000));    // near nothing
        StreamingEval.Latency l = StreamingEval.latency(truth, found, 750, model, 0);
        assertEquals(new StreamingEval.Latency(200, 600, 4), l);
        assertEquals(new StreamingEval.Latency(700, 1100, 4), StreamingEval.latency(truth, found, 750, model, 500),
                "from when the detection is reported, half a clip after its stamp");
        assertEquals(500, StreamingEval.reportDelayMs(model));
        assertEquals(new StreamingEval.Latency(300, 300, 1), StreamingEval.latency(truth, found.subList(1, 2), 750, model, 0));
        assertNull(StreamingEval.latency(truth, found.subList(3, 6), 750, model, 0), "no correct detection with a known end");
    }

    /** A tone between known samples: its speech ends at the end of its last loud 10 ms frame; a -30 dB tail is not speech. */
    @Test
    void speechEndsAtTheLastFrameWithin20DbOfTheLoudest() {
        float[] clip = new float[16000];
        for (int i = 3000; i < 9120; i++) clip[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / 16000.0));
        for (int i = 9120; i < 12000; i++) clip[i] = (float) (0.016 * Math.sin(2 * Math.PI * 440 * i / 16000.0));
        assertEquals(9120, StreamingEval.speechEnd(clip, 16000));  // 9120 = 57 frames of 160 samples
        for (int i = 9120; i < 12000; i++) clip[i] = (float) (0.06 * Math.sin(2 * Math.PI * 440 * i / 16000.0));
        assertEquals(12000, StreamingEval.speechEnd(clip, 16000), "a tail at -18 dB is still speech");
        for (int i = 9000; i < 16000; i++) clip[i] = 0;
        assertEquals(9120, StreamingEval.speechEnd(clip, 16000), "a frame partly loud counts whole");
        assertEquals(-1, StreamingEval.speechEnd(new float[1600], 16000));
    }

    @Test
    void truthFileMayGiveWordEnds(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("truth.txt");
        Files.writeString(f, "yes, 1200, 1500\nno, 3400\n");
        assertEquals(List.of(new Truth("yes", 1200, "yes", 1500), new Truth("no", 3400, "no", StreamingEval.NO_END)),
                StreamingEval.readTruth(f));
        Files.writeString(f, "yes, 1200, 1500, 7\n");
        assertThrows(IOException.class, () -> StreamingEval.readTruth(f));
    }

    /**
     * A DET curve on hand-made posteriors, averaging off: command words "yes" at 0.6 and "no" at 0.8; on the
     * half-hour false-accept stream "up" at 0.3 and 0.75 over unknown words. At 0.50 nothing is missed and one false
     * accept is made (2 per hour); at 0.70 half is missed, still 2 per hour; above 0.80 all is missed and none made.
     */
    @Test
    void detCurveReplaysEachThresholdOnTheRecordedPosteriors() {
        DetectionSettings s = new DetectionSettings(0, 0.5f, Map.of(), 1000, 1, 100);
        StreamingEval.Recorded commands = new StreamingEval.Recorded("commands",
                List.of(new Truth("yes", 1000), new Truth("no", 3000)),
                recording(0.5, Map.of(1000L, new Object[] {"yes", 0.6f}, 3000L, new Object[] {"no", 0.8f})));
        StreamingEval.Recorded negatives = new StreamingEval.Recorded("negatives",
                List.of(new Truth(KeywordModel.UNKNOWN, 1000, "a.wav"), new Truth(KeywordModel.UNKNOWN, 5000, "b.wav")),
                recording(0.5, Map.of(1000L, new Object[] {"up", 0.3f}, 5000L, new Object[] {"up", 0.75f})));
        List<StreamingEval.DetPoint> det = StreamingEval.det(model, commands, negatives, s, 750);
        assertEquals(95, det.size());
        assertEquals(0.05f, det.get(0).threshold());
        assertEquals(0.99f, det.get(94).threshold());
        assertEquals(new StreamingEval.DetPoint(0.05f, 4, 0), det.get(0));
        assertEquals(new StreamingEval.DetPoint(0.50f, 2, 0), det.get(45));
        assertEquals(new StreamingEval.DetPoint(0.70f, 2, 50), det.get(65));
        assertEquals(new StreamingEval.DetPoint(0.90f, 0, 100), det.get(85));
        for (int i = 1; i < det.size(); i++) {
            assertTrue(det.get(i).falseAcceptsPerHour() <= det.get(i - 1).falseAcceptsPerHour(), det.toString());
            assertTrue(det.get(i).missPercent() >= det.get(i - 1).missPercent(), det.toString());
        }
        // Without a false-accept stream, the command stream's own: none there.
        assertEquals(new StreamingEval.DetPoint(0.05f, 0, 0), StreamingEval.det(model, commands, null, s, 750).get(0));
    }

    /** Posteriors every 100 ms over 10 s, all 0 but the given label's value at the given times. */
    private static StreamingEval.Recording recording(double hours, Map<Long, Object[]> peaks) {
        long[] times = new long[100];
        float[][] posts = new float[100][model.labels().size()];
        for (int i = 0; i < times.length; i++) {
            times[i] = 100L * (i + 1);
            Object[] peak = peaks.get(times[i]);
            if (peak != null) posts[i][model.labels().indexOf((String) peak[0])] = (Float) peak[1];
        }
        return new StreamingEval.Recording(times, posts, 100, hours);
    }

    /** Three negative files, one in a subfolder, and one that is not audio (warned about, skipped). */
    private static NegativeAudio negatives(Path dir) throws IOException {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(11);
        int[] lengths = {12800, 16000, 19200};
        String[] names = {"a.wav", "b.wav", "sub/c.wav"};
        for (int k = 0; k < 3; k++) {
            float[] pcm = new float[lengths[k]];
            for (int i = 0; i < pcm.length; i++) pcm[i] = (float) (0.3 * (rng.nextDouble() - 0.5));
            Pcm16Wav.write(dir.resolve(names[k]), pcm, 16000);
        }
        Files.writeString(dir.resolve("broken.wav"), "not audio");
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        NegativeAudio a = NegativeAudio.load(List.of(dir), 16000, 0, new java.io.PrintStream(warnings, true));
        assertTrue(warnings.toString().contains("broken.wav"), warnings.toString());
        assertEquals(3, a.size());
        return a;
    }

    /**
     * The negatives stream, noise off: every truth is an unknown word naming its file, whose samples are in the
     * stream exactly where the truth puts it; an utterance starts every ~2.5 s; a seed gives the same stream.
     */
    @Test
    void negativesStreamLaysTheFilesWholeAboutEvery2500Ms(@TempDir Path dir) throws IOException {
        NegativeAudio neg = negatives(dir.resolve("neg"));
        Map<String, float[]> byName = new java.util.HashMap<>();
        for (int k = 0; k < neg.size(); k++) byName.put(neg.recordings().get(k).name(), neg.samples(k));
        List<Truth> truth = new ArrayList<>();
        float[] pcm = StreamingEval.generateNegatives(model, new NegativesRecipe(null, neg, null, 5, 0, 9), truth);
        assertEquals(5 * 60 * 16000, pcm.length);
        long previousStart = -1;
        double spacing = 0;
        java.util.Set<String> said = new java.util.TreeSet<>();
        for (Truth t : truth) {
            assertEquals(KeywordModel.UNKNOWN, t.label());
            float[] w = byName.get(t.said());
            assertNotNull(w, t.said());
            said.add(t.said());
            int start = startOf(pcm, w, t.timeMs());
            assertTrue(start >= 0, t + ": the file is not in the stream at its truth");
            assertTrue(t.endMs() > t.timeMs() && t.endMs() <= (start + w.length) * 1000L / 16000 + 1, t.toString());
            if (previousStart >= 0) spacing += start - previousStart;
            previousStart = start;
        }
        assertEquals(Set.of("a.wav", "b.wav", "sub/c.wav"), said);
        double meanSpacingMs = spacing / (truth.size() - 1) / 16;
        assertTrue(meanSpacingMs > 2250 && meanSpacingMs < 2750, "mean onset spacing " + meanSpacingMs + " ms");
        List<Truth> again = new ArrayList<>();
        assertArrayEquals(pcm, StreamingEval.generateNegatives(model, new NegativesRecipe(null, neg, null, 5, 0, 9), again));
        assertEquals(truth, again);
        assertNotEquals(truth, generateTruth(neg, null, 0, 10));
    }

    /** With noise: a background, or the dataset's noise, fills the pauses; zero volume keeps them silent. */
    @Test
    void negativesStreamHasNoiseUnderIt(@TempDir Path dir) throws IOException {
        NegativeAudio neg = negatives(dir.resolve("neg"));
        Path data = ToyDataset.write(dir.resolve("toy"), 1, 1, 5);
        float[] bg = new float[32000];
        for (int i = 0; i < bg.length; i++) bg[i] = (float) Math.sin(i / 10.0);
        Pcm16Wav.write(dir.resolve("bg").resolve("hum.wav"), bg, 16000);
        NegativeAudio background = NegativeAudio.load(List.of(dir.resolve("bg")), 16000, 16000, System.err);
        for (NegativesRecipe r : List.of(new NegativesRecipe(data, neg, null, 1, 0.3, 9),
                new NegativesRecipe(null, neg, background, 1, 0.3, 9), new NegativesRecipe(data, neg, background, 1, 0.3, 9))) {
            List<Truth> truth = new ArrayList<>();
            float[] pcm = StreamingEval.generateNegatives(model, r, truth);
            int silent = 0;
            for (float v : pcm) if (v == 0) silent++;
            assertTrue(silent < pcm.length / 20, r + ": " + silent + " silent samples");
        }
        float[] quiet = StreamingEval.generateNegatives(model, new NegativesRecipe(data, neg, background, 1, 0, 9), new ArrayList<>());
        int silent = 0;
        for (float v : quiet) if (v == 0) silent++;
        assertTrue(silent > quiet.length * 3 / 10, "the pauses (~60%) are silent at volume 0: " + silent);
    }

    private static List<Truth> generateTruth(NegativeAudio neg, NegativeAudio bg, double noise, long seed) throws IOException {
        List<Truth> t = new ArrayList<>();
        StreamingEval.generateNegatives(model, new NegativesRecipe(null, neg, bg, 5, noise, seed), t);
        return t;
    }

    /** Where in {@code pcm} file {@code w} lies whole with its middle at {@code middleMs}, or -1. */
    private static int startOf(float[] pcm, float[] w, long middleMs) {
        int guess = (int) (middleMs * 16 - w.length / 2);
        for (int start = Math.max(0, guess - 20); start <= guess + 20 && start + w.length <= pcm.length; start++) {
            boolean same = true;
            for (int i = 0; i < w.length && same; i++) same = pcm[start + i] == w[i];
            if (same && (start + w.length / 2L) * 1000 / 16000 == middleMs) return start;
        }
        return -1;
    }

    /**
     * eval-stream end to end on toy data with a negatives folder: the report names the negatives stream, the JSON
     * line carries its rate, the latency and the DET points, and --det writes the PNG and its JSON with both models.
     */
    @Test
    void evalStreamScoresNegativesAndWritesTheDetCurve(@TempDir Path dir) throws IOException {
        Path data = ToyDataset.write(dir.resolve("toy"), 2, 2, 3);
        negatives(dir.resolve("neg"));
        Path png = dir.resolve("det.png");
        TrainEvalRecognizeTest.Run r = TrainEvalRecognizeTest.run("eval-stream", "--data", data.toString(), "--split", "all",
                "--minutes", "1", "--unknown-percent", "0", "--negatives", dir.resolve("neg").toString(), "--negatives-minutes", "1",
                "--det", png.toString(), "--compare", "windows", "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("broken.wav"), "the unreadable file is warned about: " + r.err());
        assertTrue(r.out().contains("negatives neg (3 files"), r.out());
        String json = r.out().trim().substring(r.out().trim().lastIndexOf('\n') + 1);
        for (String key : new String[] {"\"negatives_minutes\":1.00", "\"negatives_false_accepts_per_hour\":",
                "\"negatives_false_accepts_on\":{", "\"latency_ms_median\":", "\"latency_ms_p90\":",
                "\"det\":[{\"threshold\":0.05,", "{\"threshold\":0.99,"}) {
            assertTrue(json.contains(key), key + " in " + json);
        }
        javax.imageio.ImageIO.setUseCache(false);
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(800, img.getWidth());
        String det = Files.readString(dir.resolve("det.json"));
        assertTrue(det.startsWith("{\"models\":[{\"model\":\"default\",\"points\":[{\"threshold\":0.05,"), det);
        assertTrue(det.contains("{\"model\":\"windows\",\"points\":["), det);
        assertTrue(det.contains("\"command_stream\":\"generated from toy (all), 1.0 min, seed 1\""), det);
        assertTrue(det.contains("\"false_accept_stream\":\"negatives neg (3 files"), det);
        assertEquals(2 * 95, det.split("\"miss_percent\"").length - 1, det);

        TrainEvalRecognizeTest.Run missing = TrainEvalRecognizeTest.run("eval-stream", "--data", data.toString(),
                "--minutes", "0.1", "--negatives", dir.resolve("nowhere").toString());
        assertNotEquals(0, missing.exit());
        assertTrue(missing.err().contains("--negatives " + dir.resolve("nowhere") + ": no such folder"), missing.err());

        // A --compare model that is not there fails before the hour of streams is scored, naming the file.
        Path none = dir.resolve("none.earshot");
        TrainEvalRecognizeTest.Run noModel = TrainEvalRecognizeTest.run("eval-stream", "--data", data.toString(),
                "--minutes", "60", "--det", png.toString(), "--compare", none.toString());
        assertNotEquals(0, noModel.exit());
        assertTrue(noModel.err().contains(none.toString()), noModel.err());
        assertFalse(noModel.out().contains("min stream"), "no stream was scored: " + noModel.out());
    }

    /**
     * tune-detection takes the negatives stream as one more command-free stream: it is reported, the written model
     * says it was tuned on it, and a budget counts the false accepts of both command-free streams over their hours.
     */
    @Test
    void tuneDetectionTunesOnTheNegativesStreamToo(@TempDir Path dir) throws IOException {
        Path data = ToyDataset.write(dir.resolve("toy"), 2, 2, 3);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(4);
        for (int k = 0; k < 4; k++) {  // the command streams want unknown words: every toy word is a default keyword
            Pcm16Wav.write(data.resolve("bird").resolve(String.format("%08x_nohash_%d.wav", 0x2000 + k, k)),
                    ToyDataset.word("up", rng), 16000);
        }
        negatives(dir.resolve("neg"));
        Path out = dir.resolve("tuned.earshot");
        TrainEvalRecognizeTest.Run r = TrainEvalRecognizeTest.run("tune-detection", "--data", data.toString(),
                "--split", "all", "--seeds", "1", "--minutes", "0.5", "--command-free-minutes", "0",
                "--negatives", dir.resolve("neg").toString(), "--negatives-minutes", "1", "--no-per-keyword",
                "--max-false-accepts-per-hour", "1e6", "--json", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("negatives neg (3 files, 0.1 min) seed 4: "), r.out());
        assertTrue(r.out().trim().endsWith("}") && r.out().contains("\"command_free_false_accepts_per_hour\":"), r.out());
        try (KeywordModel tuned = KeywordModel.load(out)) {
            String on = tuned.provenance().get("detection_tuned_on");
            assertTrue(on.contains("; negatives neg (3 files, 0.1 min), seed 4, 1 min; "), on);
        }
        TrainEvalRecognizeTest.Run bad = TrainEvalRecognizeTest.run("tune-detection", "--data", data.toString(),
                "--background", dir.resolve("neg").toString());
        assertTrue(bad.err().contains("--background needs --negatives"), bad.err());
    }
}
