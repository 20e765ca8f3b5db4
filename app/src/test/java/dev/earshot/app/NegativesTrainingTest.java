package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.api.KeywordModel;
import dev.earshot.app.TrainEvalRecognizeTest.Run;
import dev.earshot.training.HardNegativeMiner;
import dev.earshot.datasets.NegativeAudio;
import dev.earshot.datasets.Pcm16Wav;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --negatives/--background} end to end on the toy dataset, and hard-negative mining on a case with a
 * known answer: a folder of noise where one file holds a keyword.
 */
class NegativesTrainingTest {
    @TempDir
    static Path dir;
    static Path negatives, background, model;
    static int wordEnd;  // sample where the keyword hidden in negatives/d/with-yes.wav ends

    @BeforeAll
    static void makeData() throws Exception {
        TrainEvalRecognizeTest.data = ToyDataset.write(dir.resolve("toy"), 12, 4, 1);
        negatives = noiseFolder(dir.resolve("negatives"), 3, false);
        Files.writeString(negatives.resolve("b/broken.wav"), "not audio");
        background = dir.resolve("background");
        float[] hum = new float[16000 * 2];
        for (int i = 0; i < hum.length; i++) hum[i] = (float) (0.2 * Math.sin(2 * Math.PI * 120 * i / 16000.0));
        Pcm16Wav.write(background.resolve("hum.wav"), hum, 16000);
        model = dir.resolve("neg.earshot");
        Run r = TrainEvalRecognizeTest.run(TrainEvalRecognizeTest.trainArgs(model, 14, "--context-ms", "500",
                "--negatives", negatives.toString(), "--background", background.toString(), "--negatives-percent", "50",
                "--negative-context-percent", "50", "--hard-negatives-percent", "50", "--mine-every", "4",
                "--hard-negative-windows", "4", "--keep", "last"));  // the trained weights, whichever epoch validates best
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("broken.wav: not a WAV file") && r.err().contains("(skipped)"), r.err());
        assertTrue(r.err().contains("+ negatives negatives (4 files, 0.2 min)"), r.err());
        assertTrue(r.err().contains("after epoch 4: mined 4 hard negative windows"), r.err());
        assertTrue(r.err().contains("after epoch 12: mined"), r.err());
    }

    /** Four 3 s files of faint noise in subfolders; with {@code keyword}, d/with-yes.wav has a "yes" at 1 s. */
    static Path noiseFolder(Path root, long seed, boolean keyword) throws java.io.IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        for (String name : new String[] {"a.wav", "b/c.wav", "d/quiet.wav", "d/with-yes.wav"}) {
            float[] pcm = new float[16000 * 3];
            for (int i = 0; i < pcm.length; i++) pcm[i] = (float) (rng.nextGaussian() * 0.01);
            if (keyword && name.endsWith("with-yes.wav")) {
                float[] w = ToyDataset.word("yes", rng);
                for (int i = 0; i < w.length; i++) {
                    pcm[16000 + i] += w[i];
                    if (Math.abs(w[i]) > 0.05) wordEnd = 16000 + i;
                }
            }
            Pcm16Wav.write(root.resolve(name), pcm, 16000);
        }
        return root;
    }

    @Test
    void theModelRecordsHowNegativesWereUsed() throws Exception {
        try (KeywordModel m = KeywordModel.load(model)) {
            assertEquals("0.5", m.provenance().get("train.negative_fraction"));
            assertEquals("0.5", m.provenance().get("train.hard_negative_fraction"));
            assertTrue(m.provenance().get("data").contains("+ background background (1 files"), m.provenance().get("data"));
        }
    }

    @Test
    void miningFindsTheKeywordHiddenInTheNegatives() throws Exception {
        try (KeywordModel m = KeywordModel.load(model)) {
            // Audio the model has not heard, with one keyword in it: the miner must find it.
            NegativeAudio neg = NegativeAudio.load(List.of(noiseFolder(dir.resolve("unheard"), 8, true)), 16000, 0, System.err);
            int target = -1;
            for (int i = 0; i < neg.size(); i++) if (neg.recordings().get(i).name().endsWith("with-yes.wav")) target = i;
            List<HardNegativeMiner.Window> w = HardNegativeMiner.mine(m, m.detectionSettings(), neg, 4, 1, 500);
            assertEquals(4, w.size(), "one window from each file: " + w);
            assertEquals(target, w.get(0).recording(), "the best window is in the file with the keyword: " + w);
            int start = w.get(0).start();
            assertTrue(start <= wordEnd && wordEnd <= start + 16000, "window " + start + " holds the word's end " + wordEnd);
            assertTrue(w.get(0).score() > 2 * w.get(1).score(), "the keyword scores far above noise: " + w);
            for (int i = 1; i < w.size(); i++) assertTrue(w.get(i).score() <= w.get(i - 1).score(), "best first: " + w);
        }
    }

    @Test
    void negativeOptionsAreCheckedBeforeAnyWork() {
        Run r = TrainEvalRecognizeTest.run(TrainEvalRecognizeTest.trainArgs(dir.resolve("x.earshot"), 1,
                "--hard-negatives-percent", "20"));
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("need --negatives DIR"), r.err());
        r = TrainEvalRecognizeTest.run(TrainEvalRecognizeTest.trainArgs(dir.resolve("x.earshot"), 1,
                "--negatives", dir.resolve("nowhere").toString()));
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("nowhere") && r.err().contains("no such folder"), r.err());
        assertTrue(!Files.exists(dir.resolve("x.earshot")));
    }

    @Test
    void tuneDetectionSearchesFromTheLowestThresholdAskedFor() throws Exception {
        Run bad = TrainEvalRecognizeTest.run("tune-detection", "--model", model.toString(), "--data",
                TrainEvalRecognizeTest.data.toString(), "--split", "all", "--lowest-threshold", "0.33");
        assertNotEquals(0, bad.exit());
        assertTrue(bad.err().contains("--lowest-threshold must be a multiple of 0.05"), bad.err());
        Path tuned = dir.resolve("low.earshot");
        Run r = TrainEvalRecognizeTest.run("tune-detection", "--model", model.toString(), "--data",
                TrainEvalRecognizeTest.data.toString(), "--split", "all", "--minutes", "2", "--command-free-minutes", "1",
                "--lowest-threshold", "0.05", "--false-accept-cost", "0", "--out", tuned.toString());
        assertEquals(0, r.exit(), r.err());
        try (KeywordModel m = KeywordModel.load(tuned)) {
            assertTrue(m.provenance().get("detection_tuned_on").contains("thresholds from 0.05"));
            // Free false accepts: the fit takes the lowest threshold the grid offers for every keyword.
            float lowest = 1;
            for (String l : m.labels()) if (m.isKeyword(l)) lowest = Math.min(lowest, m.detectionSettings().thresholdFor(l));
            assertTrue(lowest < 0.45f, "a threshold below the default grid's floor: " + lowest);
        }
    }
}
