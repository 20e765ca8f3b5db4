package dev.earshot.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Clip classification: a proper distribution over the labels, consistent with the GRU on the features. */
class KeywordModelTest {
    @Test
    void classifyGivesASortedDistributionThatMatchesTheGru() throws IOException {
        try (KeywordModel m = KeywordModel.create(ModelFileTest.tinyModel(7))) {
            SplittableRandom rng = new SplittableRandom(1);
            float[] pcm = new float[12000];  // shorter than a clip: padded
            for (int i = 0; i < pcm.length; i++) pcm[i] = (float) (0.1 * rng.nextGaussian());
            List<Prediction> p = m.classify(pcm);
            assertEquals(m.labels().size(), p.size());
            double sum = 0;
            for (int i = 0; i < p.size(); i++) {
                sum += p.get(i).confidence();
                if (i > 0) assertTrue(p.get(i - 1).confidence() >= p.get(i).confidence());
            }
            assertEquals(1.0, sum, 1e-5);

            // Same numbers as the GRU's logits on the padded clip's features, through softmax.
            float[] x = m.clipFeatures(pcm);
            float[] logits = new float[m.labels().size()];
            m.gru().infer(x, 1, m.clipFrames(), logits);
            KeywordModel.softmaxInPlace(logits, 0, logits.length);
            for (Prediction q : p) assertEquals(logits[m.labels().indexOf(q.label())], q.confidence(), 1e-6f);
        }
    }

    /** Both bundled models load by name, with the twelve labels; "default" runs continuously, "windows" in windows. */
    @Test
    void bundledModelsOpenByName() throws IOException {
        try (KeywordModel d = KeywordModel.open("default"); KeywordModel f = KeywordModel.open("windows")) {
            assertEquals(12, d.labels().size());
            assertEquals(d.labels(), f.labels());
            assertTrue(d.continuous() && !f.continuous(), "default: continuous; windows: windows");
            // the same front end (their normalizations come from their own training runs)
            assertEquals(d.features().toBuilder().normalization(null, null).build().toMap(),
                    f.features().toBuilder().normalization(null, null).build().toMap());
        }
    }

    @Test
    void longClipsAreScannedAndTheMostConfidentWindowSpeaks() throws IOException {
        try (KeywordModel m = KeywordModel.create(ModelFileTest.tinyModel(8))) {
            SplittableRandom rng = new SplittableRandom(2);
            float[] pcm = new float[40000];
            for (int i = 0; i < pcm.length; i++) pcm[i] = (float) (0.1 * rng.nextGaussian());
            List<Prediction> p = m.classify(pcm);
            // The reported keyword confidence is the best over every window.
            int hop = m.clipSamples() / 10;
            float best = 0;
            for (int start = 0; start + m.clipSamples() <= pcm.length + hop - 1; start += hop) {
                int s = Math.min(start, pcm.length - m.clipSamples());
                float[] w = java.util.Arrays.copyOfRange(pcm, s, s + m.clipSamples());
                for (Prediction q : m.classify(w)) {
                    if (m.isKeyword(m.labels().indexOf(q.label()))) best = Math.max(best, q.confidence());
                }
            }
            float reported = 0;
            for (Prediction q : p) if (m.isKeyword(m.labels().indexOf(q.label()))) reported = Math.max(reported, q.confidence());
            assertEquals(best, reported, 1e-5f);
        }
    }
}
