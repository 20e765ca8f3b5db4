package dev.earshot.gru;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The whole loop learns through the Java API: which of two patterns a noisy sequence holds. The pattern
 * sits at a random position early in the sequence, so the GRU has to carry it to the last step.
 */
class GruLearningTest {
    private static final int I = 6, T = 24, CLASSES = 2;

    private static void sample(SplittableRandom rng, float[] x, int[] y, int b) {
        int cls = rng.nextInt(CLASSES);
        y[b] = cls;
        for (int t = 0; t < T; t++)
            for (int i = 0; i < I; i++) x[(b * T + t) * I + i] = (float) (rng.nextGaussian() * 0.6);
        int start = rng.nextInt(T / 2);
        for (int t = start; t < start + 4; t++) {
            for (int i = 0; i < I; i++) {
                // class 0 rises across features, class 1 falls
                float v = (cls == 0 ? i : I - 1 - i) / (float) (I - 1) - 0.5f;
                x[(b * T + t) * I + i] += 2 * v;
            }
        }
    }

    @Test
    void learnsToTellTwoPatternsApart() {
        learns(Precision.FP32);
    }

    /** The same with bfloat16 products, where the CPU has them (the trainer says it runs them). */
    @Test
    void learnsWithBfloat16Products() {
        assumeTrue(Precision.bf16Supported(), "no AVX-512 BF16 here: " + Blas.info());
        learns(Precision.BF16);
    }

    private static void learns(Precision precision) {
        GruConfig cfg = new GruConfig(I, 24, 1, CLASSES);
        SplittableRandom rng = new SplittableRandom(2024);
        int B = 32;
        float[] x = new float[B * T * I];
        int[] y = new int[B];
        try (GruModel model = new GruModel(cfg, 1); GruTrainer trainer = new GruTrainer(model, 2)) {
            trainer.setPrecision(precision);
            assertEquals(precision, trainer.precision());
            double before = accuracy(trainer, new SplittableRandom(99));
            for (int step = 0; step < 400; step++) {
                for (int b = 0; b < B; b++) sample(rng, x, y, b);
                trainer.step(x, y, B, T, AdamSettings.of(1e-2f));
            }
            double after = accuracy(trainer, new SplittableRandom(99));
            assertTrue(before < 0.7, "starts near chance: " + before);
            assertTrue(after >= 0.95, "accuracy after training: " + after);
        }
    }

    private static double accuracy(GruTrainer trainer, SplittableRandom rng) {
        int n = 512;
        float[] x = new float[n * T * I];
        int[] y = new int[n];
        for (int b = 0; b < n; b++) sample(rng, x, y, b);
        float[] logits = new float[n * CLASSES];
        trainer.infer(x, n, T, logits);
        int right = 0;
        for (int b = 0; b < n; b++) if ((logits[2 * b + 1] > logits[2 * b] ? 1 : 0) == y[b]) right++;
        return right / (double) n;
    }
}
