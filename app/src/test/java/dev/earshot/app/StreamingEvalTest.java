package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.api.Detection;
import dev.earshot.api.KeywordModel;
import dev.earshot.app.StreamingEval.Recipe;
import dev.earshot.app.StreamingEval.Stats;
import dev.earshot.app.StreamingEval.Truth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        IOException e = assertThrows(IOException.class, () -> StreamingEval.generate(model,
                new Recipe(data, null, "all", 1, 2000, 100, 0.1, 7), new ArrayList<>()));
        assertTrue(e.getMessage().contains("no unknown-word clips"), e.getMessage());
    }
}
