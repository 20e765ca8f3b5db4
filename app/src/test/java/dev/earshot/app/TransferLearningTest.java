package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.api.KeywordModel;
import dev.earshot.gru.GruConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --init MODEL}: a run starts from a trained model's GRU layers and normalization with a new head
 * for its own labels, and learns a word the model did not know (here "up", which the base model heard only as
 * an unknown word) in ten epochs, and keeps the last of them unless told otherwise.
 */
class TransferLearningTest {
    @TempDir
    static Path dir;
    static Path data, base;

    @BeforeAll
    static void trainBase() throws Exception {
        data = ToyDataset.write(dir.resolve("toy"), 12, 4, 1);
        base = dir.resolve("base.earshot");
        TrainEvalRecognizeTest.Run r = TrainEvalRecognizeTest.run(args(base, "--labels", "yes,no", "--hidden", "24",
                "--epochs", "12", "--lr", "1e-2"));
        assertEquals(0, r.exit(), r.err());
    }

    static String[] args(Path out, String... extra) {
        String[] b = {"train", "--data", data.toString(), "--split", "speakers", "--validation-percent", "25",
                "--batch", "16", "--seed", "5", "--out", out.toString(), "--cache", dir.resolve("cache").toString()};
        String[] all = java.util.Arrays.copyOf(b, b.length + extra.length);
        System.arraycopy(extra, 0, all, b.length, extra.length);
        return all;
    }

    static float[] gruPart(KeywordModel m) {
        GruConfig a = m.architecture();
        return java.util.Arrays.copyOf(m.gru().parameters(), (int) (a.parameterCount() - (long) a.classes() * a.hidden() - a.classes()));
    }

    /** One epoch from the base model at a learning rate too small to move anything: the run ends where it started. */
    static TrainEvalRecognizeTest.Run startFromBase(Path out, String labels) {
        TrainEvalRecognizeTest.Run r = TrainEvalRecognizeTest.run(args(out, "--init", base.toString(), "--labels", labels,
                "--epochs", "1", "--lr", "1e-12"));
        assertEquals(0, r.exit(), r.err());
        return r;
    }

    @Test
    void startsFromTheModelsGruWithANewHead() throws Exception {
        Path b = dir.resolve("b.earshot"), scratch = dir.resolve("scratch.earshot");
        startFromBase(b, "up");
        TrainEvalRecognizeTest.Run s = TrainEvalRecognizeTest.run(args(scratch, "--labels", "up", "--hidden", "24",
                "--epochs", "1", "--lr", "1e-12"));
        assertEquals(0, s.exit(), s.err());
        try (KeywordModel m0 = KeywordModel.load(base); KeywordModel m1 = KeywordModel.load(b);
             KeywordModel m2 = KeywordModel.load(scratch)) {
            assertEquals(List.of("_silence_", "_unknown_", "up"), m1.labels());
            assertEquals(m0.architecture().hidden(), m1.architecture().hidden());
            float[] g0 = gruPart(m0), g1 = gruPart(m1), g2 = gruPart(m2);
            assertEquals(g0.length, g1.length);
            for (int i = 0; i < g0.length; i++) assertEquals(g0[i], g1[i], 1e-6f, "GRU parameter " + i);
            double far = 0;
            for (int i = 0; i < g0.length; i++) far = Math.max(far, Math.abs(g0[i] - g2[i]));
            assertTrue(far > 0.05, "a run from scratch starts elsewhere (" + far + "), so the check above can fail");
            assertArrayEquals(m0.features().normMean(), m1.features().normMean(), "the base model's normalization");
            assertArrayEquals(m0.features().normStd(), m1.features().normStd());
            assertEquals(base.toString(), m1.provenance().get("initialized_from"));
            assertEquals(m0.provenance().get("created"), m1.provenance().get("initialized_from_created"));
            assertNotNull(m1.provenance().get("initialized_from_created"));
            assertEquals("new", m1.provenance().get("initial_head"));
            assertEquals("1", m1.provenance().get("train.epochs"));
        }
    }

    @Test
    void keepsTheModelsHeadWhenTheLabelsAreItsOwn() throws Exception {
        Path k = dir.resolve("kept.earshot"), fresh = dir.resolve("fresh.earshot");
        TrainEvalRecognizeTest.Run r = startFromBase(k, "yes,no");
        assertTrue(r.err().contains("and its head") || r.out().contains("and its head"), r.out() + r.err());
        startFromBase(fresh, "no,yes");  // the same words in another order are other labels: a new head
        try (KeywordModel m0 = KeywordModel.load(base); KeywordModel m1 = KeywordModel.load(k);
             KeywordModel m2 = KeywordModel.load(fresh)) {
            assertEquals(m0.labels(), m1.labels());
            float[] p0 = m0.gru().parameters(), p1 = m1.gru().parameters(), p2 = m2.gru().parameters();
            assertEquals(p0.length, p1.length);
            for (int i = 0; i < p0.length; i++) assertEquals(p0[i], p1[i], 1e-6f, "parameter " + i + ", head included");
            int head = gruPart(m0).length;
            double far = 0;
            for (int i = head; i < p0.length; i++) far = Math.max(far, Math.abs(p0[i] - p2[i]));
            assertTrue(far > 0.05, "a new head starts elsewhere (" + far + "), so the check above can fail");
            assertEquals("kept", m1.provenance().get("initial_head"));
            assertEquals("new", m2.provenance().get("initial_head"));
        }
    }

    @Test
    void learnsANewWordInAFewEpochs() throws Exception {
        Path m = dir.resolve("up.earshot");
        TrainEvalRecognizeTest.Run r = TrainEvalRecognizeTest.run(args(m, "--init", base.toString(), "--labels", "up",
                "--epochs", "10", "--lr", "1e-2", "--unknown-percent", "100"));
        assertEquals(0, r.exit(), r.err());
        try (KeywordModel k = KeywordModel.load(m)) {
            // A few takes validate nothing (a custom word's validation: a few clips of it, no other words).
            assertEquals("last epoch", k.provenance().get("train.keep"));
            assertEquals("10", k.provenance().get("best_epoch"));
        }
        TrainEvalRecognizeTest.Run eval = TrainEvalRecognizeTest.run("eval", "--model", m.toString(), "--data",
                data.toString(), "--split", "all", "--json");
        assertEquals(0, eval.exit(), eval.err());
        String json = eval.out().trim().substring(eval.out().trim().lastIndexOf('\n') + 1);
        double up = Double.parseDouble(json.replaceAll(".*\"up\":([0-9.]+).*", "$1"));
        double other = Double.parseDouble(json.replaceAll(".*\"_unknown_\":([0-9.]+).*", "$1"));
        assertTrue(up >= 0.9 && other >= 0.9, "after 10 epochs from the base model: " + json);
    }

    @Test
    void whatTheModelDecidesCannotBeGivenToo() {
        for (String[] extra : new String[][] {{"--hidden", "32"}, {"--mfcc", "13"}, {"--layers", "2"}}) {
            TrainEvalRecognizeTest.Run r = TrainEvalRecognizeTest.run(concat(args(dir.resolve("x.earshot"), "--init",
                    base.toString(), "--labels", "up"), extra));
            assertEquals(2, r.exit(), r.err());
            assertTrue(r.err().contains(extra[0] + " comes with --init"), r.err());
        }
        TrainEvalRecognizeTest.Run r = TrainEvalRecognizeTest.run(args(dir.resolve("x.earshot"), "--init",
                dir.resolve("missing.earshot").toString(), "--labels", "up"));
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("earshot train: ") && r.err().contains("--init"), r.err());
    }

    static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
