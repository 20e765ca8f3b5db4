package dev.earshot.gru;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every gradient of the native backward pass (all weights and biases of every layer and of the head,
 * the input sequence and the initial states) against central finite differences of the double-precision
 * reference loss.
 */
class GruGradientTest {
    private static final double STEP = 1e-5;
    private static final double TOLERANCE = 1e-3;
    // Relative error |a − b| / max(|a|, |b|, FLOOR): gradients far below FLOOR are compared absolutely,
    // since float32 cannot carry a relative 1e-3 on a value of 1e-7.
    private static final double FLOOR = 1e-3;

    @ParameterizedTest(name = "I={0} H={1} L={2} C={3} B={4} T={5} threads={6} smoothing={7}")
    @CsvSource({
            "1, 1, 1, 2, 1, 1, 1, 0",
            "3, 4, 1, 3, 2, 5, 1, 0",
            "3, 4, 2, 3, 3, 6, 2, 0",
            "5, 6, 3, 4, 2, 4, 2, 0",
            "2, 7, 2, 5, 4, 8, 3, 0",
            "3, 4, 2, 3, 3, 6, 2, 0.1",
            "2, 5, 1, 12, 4, 5, 1, 0.3",
    })
    void gradientsMatchFiniteDifferences(int I, int H, int L, int C, int B, int T, int threads, double smoothing) {
        GruConfig cfg = new GruConfig(I, H, L, C);
        SplittableRandom rng = new SplittableRandom(31L * I + 7L * H + L + B);
        float[] p = TestData.uniform(rng, (int) cfg.parameterCount(), 0.8);
        float[] x = TestData.uniform(rng, B * T * I, 1.0);
        float[] h0 = TestData.uniform(rng, L * B * H, 0.5);
        int[] labels = TestData.labels(rng, B, C);

        float[] grads = new float[p.length];
        float[] dx = new float[x.length];
        float[] dh0 = new float[h0.length];
        double loss;
        try (GruModel model = new GruModel(cfg, p); GruTrainer trainer = new GruTrainer(model, threads)) {
            loss = trainer.gradients(x, h0, labels, B, T, (float) smoothing, grads, dx, dh0);
        }

        ReferenceGru ref = new ReferenceGru(cfg);
        double[] pd = ReferenceGru.toDouble(p), xd = ReferenceGru.toDouble(x), hd = ReferenceGru.toDouble(h0);
        assertEquals(ref.loss(pd, xd, hd, labels, B, T, smoothing), loss, 1e-5, "loss");

        check("parameters", grads, pd, v -> ref.loss(v, xd, hd, labels, B, T, smoothing));
        check("input sequence", dx, xd, v -> ref.loss(pd, v, hd, labels, B, T, smoothing));
        check("initial state", dh0, hd, v -> ref.loss(pd, xd, v, labels, B, T, smoothing));
    }

    private static void check(String what, float[] analytic, double[] at, java.util.function.ToDoubleFunction<double[]> f) {
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < at.length; i++) {
            double keep = at[i];
            at[i] = keep + STEP;
            double up = f.applyAsDouble(at);
            at[i] = keep - STEP;
            double down = f.applyAsDouble(at);
            at[i] = keep;
            double numeric = (up - down) / (2 * STEP);
            double err = Math.abs(analytic[i] - numeric) / Math.max(FLOOR, Math.max(Math.abs(numeric), Math.abs(analytic[i])));
            if (err > worst) {
                worst = err;
                worstAt = i;
            }
        }
        assertTrue(worst <= TOLERANCE, what + ": worst relative error " + worst + " at index " + worstAt
                + " (analytic " + (worstAt >= 0 ? analytic[worstAt] : 0) + ")");
    }
}
