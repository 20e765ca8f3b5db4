package dev.earshot.gru;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Streaming steps against the sequence forward of the same frames. */
class GruStreamingTest {
    @Test
    void streamingStepsReproduceSequenceLogitsAtEveryLength() {
        GruConfig cfg = new GruConfig(40, 64, 2, 12);
        SplittableRandom rng = new SplittableRandom(5);
        int T = 30;
        float[] x = TestData.uniform(rng, T * cfg.input(), 1.0);
        try (GruModel model = new GruModel(cfg, 9); GruStream stream = new GruStream(model, 1)) {
            float[] logits = new float[cfg.classes()];
            for (int t = 1; t <= T; t++) {
                stream.step(java.util.Arrays.copyOfRange(x, (t - 1) * cfg.input(), t * cfg.input()), logits);
                float[] seq = new float[cfg.classes()];
                model.infer(java.util.Arrays.copyOf(x, t * cfg.input()), 1, t, seq);
                assertArrayEquals(seq, logits, 1e-5f, "after " + t + " frames");
            }
        }
    }

    @Test
    void streamsAreIndependentAndResettable() {
        GruConfig cfg = new GruConfig(8, 16, 1, 4);
        SplittableRandom rng = new SplittableRandom(6);
        try (GruModel model = new GruModel(cfg, 3);
             GruStream pair = new GruStream(model, 2);
             GruStream single = new GruStream(model, 1)) {
            float[] both = new float[2 * cfg.classes()];
            float[] one = new float[cfg.classes()];
            for (int t = 0; t < 10; t++) {
                float[] a = TestData.uniform(rng, cfg.input(), 1.0);
                float[] b = TestData.uniform(rng, cfg.input(), 1.0);
                float[] ab = new float[2 * cfg.input()];
                System.arraycopy(a, 0, ab, 0, a.length);
                System.arraycopy(b, 0, ab, a.length, b.length);
                pair.step(ab, both);
                single.step(b, one);
                if (t == 4) {
                    pair.reset(1);
                    single.resetAll();
                }
            }
            // Stream 1 of the pair saw exactly what the single stream saw, with the same reset.
            for (int k = 0; k < cfg.classes(); k++) assertEquals(one[k], both[cfg.classes() + k], 1e-6f);
            float[] state = pair.state();
            pair.setState(new float[state.length]);
            assertArrayEquals(new float[state.length], pair.state());
        }
    }
}
