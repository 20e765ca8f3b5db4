package dev.earshot.gru;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * Each layer's Wh, and its Wx when that has 64 columns or more, rounded to int8 steps of one scale per row and 64
     * columns, as an INT8 model file holds them.
     */
    static float[] matricesAsInt8(GruConfig cfg, float[] params) {
        float[] p = params.clone();
        int H = cfg.hidden(), offset = 0;
        for (int l = 0; l < cfg.layers(); l++) {
            int in = l == 0 ? cfg.input() : H;
            if (in >= 64) roundRowBlocks(p, offset, 3 * H, in);
            roundRowBlocks(p, offset + 3 * H * in, 3 * H, H);
            offset += 3 * H * (in + H) + 3 * H;
        }
        return p;
    }

    private static void roundRowBlocks(float[] p, int at, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            for (int c0 = 0; c0 < cols; c0 += 64) {
                int from = at + r * cols + c0, to = at + r * cols + Math.min(cols, c0 + 64);
                float max = 0;
                for (int i = from; i < to; i++) max = Math.max(max, Math.abs(p[i]));
                float scale = max / 127f;
                for (int i = from; i < to; i++) p[i] = scale == 0 ? 0 : Math.round(p[i] / scale) * scale;
            }
        }
    }

    @Test
    void int8StreamsComputeTheFloatStreamsNumbersOnInt8Weights() {
        // H = 100: one full 64-column block and a narrower one per row; 2 layers (the second's Wx int8 too), 2 streams.
        GruConfig cfg = new GruConfig(10, 100, 2, 12);
        SplittableRandom rng = new SplittableRandom(8);
        try (GruModel model = new GruModel(cfg, 4)) {
            model.setParameters(matricesAsInt8(cfg, TestData.uniform(rng, (int) cfg.parameterCount(), 0.3)));
            try (GruStream exact = new GruStream(model, 2);
                 GruStream int8 = new GruStream(model, 2, GruStream.Weights.INT8)) {
                assertEquals(GruStream.Weights.INT8, int8.weights());
                float[] want = new float[2 * cfg.classes()], got = new float[2 * cfg.classes()];
                float bound = Int8Tolerance.streamBound();
                for (int t = 0; t < 60; t++) {
                    float[] x = TestData.uniform(rng, 2 * cfg.input(), 2.0);
                    exact.step(x, want);
                    int8.step(x, got);
                    assertArrayEquals(want, got, bound, "frame " + t);
                }
                assertArrayEquals(exact.state(), int8.state(), bound);
            }
        }
    }

    @Test
    void int8StreamsQuantizeFloatWeightsAndGoStaleWhenTheModelChanges() {
        GruConfig cfg = new GruConfig(10, 64, 1, 6);
        SplittableRandom rng = new SplittableRandom(9);
        float[] params = TestData.uniform(rng, (int) cfg.parameterCount(), 0.3);
        try (GruModel model = new GruModel(cfg, params);
             GruStream exact = new GruStream(model, 1);
             GruStream int8 = new GruStream(model, 1, GruStream.Weights.INT8)) {
            float[] want = new float[cfg.classes()], got = new float[cfg.classes()];
            double worst = 0;
            for (int t = 0; t < 40; t++) {
                float[] x = TestData.uniform(rng, cfg.input(), 2.0);
                exact.step(x, want);
                int8.step(x, got);
                for (int k = 0; k < want.length; k++) worst = Math.max(worst, Math.abs(want[k] - got[k]));
            }
            // Rounding the weights moves the logits a little, never a lot (and not at all would mean no rounding).
            assertTrue(worst > 1e-6 && worst < 0.05, "largest logit difference " + worst);
            model.setParameters(params);
            RuntimeException e = assertThrows(RuntimeException.class, () -> int8.step(new float[cfg.input()], got));
            assertTrue(e.getMessage().contains("parameters changed"), e.getMessage());
            exact.step(new float[cfg.input()], want);  // float streams read the model as it is
        }
    }
}
