package dev.earshot.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.audio.FeatureSettings;
import dev.earshot.gru.GruConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model whose network names some non-keywords one by one ({@link KeywordModel#UNKNOWN_CLASSES_KEY}) reports
 * only silence, unknown and its keywords, with those classes' probability summed into unknown, the same way in
 * clip classification, the spotter and the saved file; a key that names no such class is refused.
 */
class UnknownClassesTest {
    static final List<String> CLASSES = List.of("_silence_", "_unknown_", "yes", "no", "dog", "two");

    static ModelFile.Contents sixClasses(Map<String, String> extra) {
        FeatureSettings fs = FeatureSettings.defaults();
        GruConfig arch = new GruConfig(fs.coefficients(), 6, 1, CLASSES.size());
        float[] w = new float[(int) arch.parameterCount()];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian();
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("data", "unit test");
        prov.putAll(extra);
        return new ModelFile.Contents(CLASSES, fs, arch, 16000, prov, w);
    }

    static float[] noise(long seed, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] pcm = new float[n];
        for (int i = 0; i < pcm.length; i++) pcm[i] = (float) (0.2 * rng.nextGaussian());
        return pcm;
    }

    /** Softmax in doubles over the six classes, then dog and two added to unknown: the reference. */
    static double[] reference(float[] logits) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float z : logits) max = Math.max(max, z);
        double[] e = new double[logits.length];
        for (int k = 0; k < e.length; k++) sum += e[k] = Math.exp(logits[k] - max);
        return new double[] {e[0] / sum, (e[1] + e[4] + e[5]) / sum, e[2] / sum, e[3] / sum};
    }

    @Test
    void classifyAndTheSpotterReportTheFoldedLabels(@TempDir Path dir) throws IOException {
        try (KeywordModel m = KeywordModel.create(sixClasses(Map.of(KeywordModel.UNKNOWN_CLASSES_KEY, "dog,two")))) {
            assertEquals(List.of("_silence_", "_unknown_", "yes", "no"), m.labels());
            assertEquals(CLASSES, m.classes());
            assertTrue(m.isKeyword("yes") && !m.isKeyword("dog") && !m.isKeyword("_unknown_"));

            float[] pcm = noise(1, 16000);
            float[] logits = new float[CLASSES.size()];
            m.gru().infer(m.clipFeatures(pcm), 1, m.clipFrames(), logits);
            double[] want = reference(logits);
            // The unknown share really is a sum here, not one class's probability.
            float[] raw = logits.clone();
            KeywordModel.softmaxInPlace(raw, 0, raw.length);
            assertTrue(want[1] > raw[1] + 0.01, "dog and two carry some probability: " + java.util.Arrays.toString(raw));

            List<Prediction> p = m.classify(pcm);
            assertEquals(4, p.size());
            for (Prediction q : p) assertEquals(want[m.labels().indexOf(q.label())], q.confidence(), 1e-6, q.label());

            // The spotter's per-window posteriors are folded the same way.
            List<float[]> seen = new ArrayList<>();
            try (Spotter s = new Spotter(m, DetectionSettings.defaults(), new SpotterListener() {
                @Override
                public void onDetection(Detection d) {
                    assertTrue(m.isKeyword(d.label()), d.label());
                }

                @Override
                public void onPosteriors(long timeMs, float[] posteriors, float[] smoothed) {
                    seen.add(posteriors.clone());
                }
            }, m.sampleRate())) {
                s.accept(noise(2, 48000));
            }
            assertTrue(!seen.isEmpty());
            for (float[] q : seen) {
                assertEquals(4, q.length);
                double sum = 0;
                for (float v : q) sum += v;
                assertEquals(1.0, sum, 1e-5);
            }

            // The key survives the file; the network keeps all six outputs.
            Path file = dir.resolve("folded.earshot");
            m.save(file);
            try (KeywordModel back = KeywordModel.load(file)) {
                assertEquals(m.labels(), back.labels());
                assertEquals(CLASSES, back.classes());
                assertEquals(want[1], back.classify(pcm).stream().filter(q -> q.label().equals("_unknown_"))
                        .findFirst().orElseThrow().confidence(), 1e-6);
            }
        }
    }

    @Test
    void withoutTheKeyEveryClassIsALabel() throws IOException {
        try (KeywordModel m = KeywordModel.create(sixClasses(Map.of()))) {
            assertEquals(CLASSES, m.labels());
            assertEquals(CLASSES, m.classes());
            assertEquals(6, m.classify(noise(3, 16000)).size());
        }
    }

    @Test
    void aKeyThatNamesNoFoldableClassIsRefused() {
        for (String bad : new String[] {"cat", "dog,dog", "_silence_", "_unknown_", "dog,", "Dog"}) {
            ModelFormatException e = assertThrows(ModelFormatException.class,
                    () -> KeywordModel.create(sixClasses(Map.of(KeywordModel.UNKNOWN_CLASSES_KEY, bad))), bad);
            assertTrue(e.getMessage().contains(KeywordModel.UNKNOWN_CLASSES_KEY), e.getMessage());
        }
        // A detection threshold for a folded class is not a keyword's.
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> KeywordModel.create(sixClasses(Map.of(
                KeywordModel.UNKNOWN_CLASSES_KEY, "dog,two", "detection.average_ms", "750", "detection.threshold", "0.7",
                "detection.suppression_ms", "1500", "detection.minimum_count", "3", "detection.window_stride_ms", "100",
                "detection.threshold.dog", "0.5"))));
        assertTrue(e.getMessage().contains("dog"), e.getMessage());
    }
}
