package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.api.KeywordModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line end to end on a toy dataset: train, checkpoint, resume, report, eval, recognize. */
class TrainEvalRecognizeTest {
    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void makeData() throws Exception {
        data = ToyDataset.write(dir.resolve("toy"), 12, 4, 1);
    }

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out, oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.commandLine().execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static String[] trainArgs(Path out, int epochs, String... extra) {
        String[] base = {"train", "--data", data.toString(), "--labels", "yes,no", "--split", "speakers",
                "--validation-percent", "25", "--hidden", "24", "--epochs", Integer.toString(epochs), "--batch", "16",
                "--lr", "1e-2", "--seed", "5", "--out", out.toString(),
                "--cache", data.resolveSibling("feature-cache").toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void trainsAModelThatEvalAndRecognizeCanUse() throws Exception {
        Path model = dir.resolve("toy.earshot");
        Run r = run(trainArgs(model, 12));
        assertEquals(0, r.exit(), r.err());
        // Clean frames went to the feature cache; a second run reads them instead of computing them.
        Run again = run(trainArgs(dir.resolve("toy2.earshot"), 1));
        assertEquals(0, again.exit(), again.err());
        assertTrue(r.err().contains("built") && again.err().contains("features of") && again.err().contains("loaded"),
                again.err());
        assertTrue(Files.exists(model));
        assertTrue(!Files.exists(Path.of(model + ".ckpt")), "a finished run deletes its checkpoint");
        for (String f : new String[] {"toy-report.html", "toy-report-curves.png", "toy-report-confusion.png"}) {
            assertTrue(Files.size(dir.resolve(f)) > 1000, f);
        }
        try (KeywordModel m = KeywordModel.load(model)) {
            assertEquals(java.util.List.of("_silence_", "_unknown_", "yes", "no"), m.labels());
            assertTrue(m.provenance().containsKey("validation_accuracy"));
            assertEquals("5", m.provenance().get("train.seed"));
        }

        Run eval = run("eval", "--model", model.toString(), "--data", data.toString(), "--json");
        assertEquals(0, eval.exit(), eval.err());
        String json = lastLine(eval);
        assertTrue(json.startsWith("{\"accuracy\":") && json.contains("\"confusion\":[["), json);
        double acc = Double.parseDouble(json.substring("{\"accuracy\":".length(), json.indexOf(',')));
        // The two target words are learned; the unknown word, drawn at 10% of the known count per epoch as
        // TensorFlow does, is too rare in 12 toy epochs to be, so the whole is above chance only.
        assertTrue(acc > 0.5, "toy accuracy " + acc + "\n" + eval.out());
        assertTrue(json.contains("\"yes\":0.9") || json.contains("\"yes\":1"), json);
        assertTrue(json.contains("\"no\":0.9") || json.contains("\"no\":1"), json);
        assertTrue(json.contains("\"n\":144"), "3 words x 12 speakers x 4 clips scored: " + json);

        Path yes = data.resolve("yes").resolve(String.format("%08x", 0x1000) + "_nohash_0.wav");
        Path broken = Files.write(dir.resolve("broken.wav"), new byte[] {'R', 'I', 'F', 'F', 1, 2});
        Run rec = run("recognize", "--model", model.toString(), yes.toString(), broken.toString());
        assertEquals(1, rec.exit());
        assertTrue(rec.out().startsWith(yes + ": yes "), rec.out());
        assertEquals(1, rec.err().trim().split("\n").length, rec.err());
        assertTrue(rec.err().contains(broken.toString()), rec.err());
    }

    /**
     * tune-detection on streams of the toy words: the settings it writes never score below the model's own on the
     * tuning streams, the written model carries them with the same weights, and tuning the written model again
     * starts from exactly the score it ended with (the settings survive the file). A false-accept budget keeps the
     * command-free stream to it, or says it cannot; one nothing can reach changes nothing.
     */
    @Test
    void tuneDetectionWritesSettingsThatScoreAtLeastTheModelsOwn() throws Exception {
        Path model = dir.resolve("tune-me.earshot"), tuned = dir.resolve("tuned.earshot");
        String[] train = trainArgs(model, 8);
        // a cache of its own: the other test checks that its first run builds the shared one
        train[java.util.Arrays.asList(train).indexOf("--cache") + 1] = dir.resolve("tune-cache").toString();
        assertEquals(0, run(train).exit());
        String[] tune = {"tune-detection", "--model", model.toString(), "--data", data.toString(), "--split", "all",
                "--seeds", "1,2", "--minutes", "1", "--command-free-minutes", "1", "--json", "--out", tuned.toString()};
        Run r = run(tune);
        assertEquals(0, r.exit(), r.err());
        String json = lastLine(r);
        double score = field(json, "score"), before = field(json, "score_before");
        assertTrue(score >= before, json);
        try (KeywordModel a = KeywordModel.load(model); KeywordModel b = KeywordModel.load(tuned)) {
            assertArrayEquals(a.gru().parameters(), b.gru().parameters());
            assertEquals(dev.earshot.api.DetectionSettings.defaults(), a.detectionSettings());
            assertEquals((int) field(json, "average_ms"), b.detectionSettings().averageWindowMs());
            assertEquals((float) field(json, "threshold"), b.detectionSettings().threshold(), 1e-6f);
            assertTrue(b.provenance().get("detection_tuned_on").contains("seeds [1, 2]"), b.provenance().toString());
            assertEquals(a.provenance().get("train.seed"), b.provenance().get("train.seed"));
        }
        tune[2] = tuned.toString();
        tune[tune.length - 1] = dir.resolve("tuned-again.earshot").toString();
        Run again = run(tune);
        assertEquals(0, again.exit(), again.err());
        assertEquals(score, field(lastLine(again), "score_before"), 1e-9, again.out());

        // A false-accept budget: one nothing can reach scores at least what the plain search found (that search is
        // one of those it runs). With false accepts free (cost 0) the best setting makes some on the command-free
        // stream; under a budget below that, the tuned setting keeps to it, or the run says that no setting gets
        // there; and a looser budget never scores less than a tighter one.
        Run l = run(budgeted(tune, model, 1e6));  // 16,667 false accepts in the 1-minute stream
        assertEquals(0, l.exit(), l.err());
        assertTrue(field(lastLine(l), "score") >= score - 1e-9, l.out());
        String[] free = java.util.Arrays.copyOf(tune, tune.length + 2);
        free[2] = model.toString();
        free[tune.length] = "--false-accept-cost";
        free[tune.length + 1] = "0";
        Run f = run(free);
        assertEquals(0, f.exit(), f.err());
        double rate = field(lastLine(f), "command_free_false_accepts_per_hour");
        assertTrue(rate > 0, "the test needs false accepts to cut: " + f.out());
        Run tight = run(budgeted(free, model, rate - 1));  // rates on a 1-minute stream are multiples of 60
        if (tight.exit() == 0) {
            assertTrue(field(lastLine(tight), "command_free_false_accepts_per_hour") <= rate - 1, tight.out());
            assertTrue(field(lastLine(tight), "score") <= field(lastLine(f), "score"), tight.out());
        } else {
            assertTrue(tight.err().contains("no setting searched keeps the command-free stream at or under"), tight.err());
        }
        double last = Double.NEGATIVE_INFINITY;
        for (int k = 0; k <= 4; k++) {  // five budgets from none to the cost-0 fit's rate
            double budget = 60 * Math.floor(rate / 60 * k / 4);
            Run b = run(budgeted(free, model, budget));
            if (b.exit() != 0) {
                assertTrue(b.err().contains("no setting searched keeps"), b.err());
                assertEquals(Double.NEGATIVE_INFINITY, last, "a tighter budget was met: " + b.err());
                continue;
            }
            assertTrue(field(lastLine(b), "command_free_false_accepts_per_hour") <= budget, b.out());
            double v = field(lastLine(b), "score");
            assertTrue(v >= last, "budget " + budget + " scored " + v + ", a tighter one " + last);
            last = v;
        }
        Run bad = run(budgeted(tune, model, -1));
        assertNotEquals(0, bad.exit());
        assertTrue(bad.err().contains("--max-false-accepts-per-hour must be >= 0"), bad.err());
    }

    /** The tune-detection arguments with a false-accept budget, tuning {@code model}. */
    private static String[] budgeted(String[] tune, Path model, double budget) {
        String[] a = java.util.Arrays.copyOf(tune, tune.length + 2);
        a[2] = model.toString();
        a[tune.length] = "--max-false-accepts-per-hour";
        a[tune.length + 1] = Double.toString(budget);
        return a;
    }

    private static String lastLine(Run r) {
        String[] lines = r.out().trim().split("\n");
        return lines[lines.length - 1];
    }

    private static double field(String json, String name) {
        String key = "\"" + name + "\":";
        int at = json.indexOf(key);
        assertTrue(at >= 0, name + " in " + json);
        int end = at + key.length();
        while (end < json.length() && "-0123456789.".indexOf(json.charAt(end)) >= 0) end++;
        return Double.parseDouble(json.substring(at + key.length(), end));
    }
}
