package dev.earshot.gru;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What the frame loss is for ({@link GruTrainer#setFrameLoss}), learned end to end. A keyword is pattern A just
 * before the end; a negative is A followed by pattern B, the way "dog" starts as "down" does. Trained on the
 * last frame alone, the model says "keyword" on the negatives' frames right after A, which a streaming detector
 * reads; with the frame loss it learns to wait for B, and both models still classify the last frame right.
 */
class GruFrameLossTest {
    private static final int I = 6, T = 20, CLASSES = 2, NEGATIVE = 0, KEYWORD = 1, WATCHED = 10;

    private static void pattern(float[] x, int b, int from, boolean rising) {
        for (int t = from; t < from + 4; t++)
            for (int i = 0; i < I; i++) x[(b * T + t) * I + i] += 2 * ((rising ? i : I - 1 - i) / (float) (I - 1) - 0.5f);
    }

    private static void sample(SplittableRandom rng, float[] x, int[] y, int b) {
        y[b] = rng.nextBoolean() ? KEYWORD : NEGATIVE;
        for (int t = 0; t < T; t++)
            for (int i = 0; i < I; i++) x[(b * T + t) * I + i] = (float) (rng.nextGaussian() * 0.3);
        if (y[b] == KEYWORD) {
            pattern(x, b, T - 6, true);
        } else {
            pattern(x, b, T - 10, true);
            pattern(x, b, T - 6, false);
        }
    }

    /** {last-frame accuracy, mean over negatives of the highest P(keyword) over their last WATCHED frames}. */
    private static double[] train(float frameLossWeight) {
        GruConfig cfg = new GruConfig(I, 24, 1, CLASSES);
        SplittableRandom rng = new SplittableRandom(7);
        int B = 32;
        float[] x = new float[B * T * I];
        int[] y = new int[B];
        try (GruModel model = new GruModel(cfg, 1); GruTrainer trainer = new GruTrainer(model, 2)) {
            if (frameLossWeight > 0) trainer.setFrameLoss(new boolean[] {false, true}, WATCHED, frameLossWeight);
            for (int step = 0; step < 500; step++) {
                for (int b = 0; b < B; b++) sample(rng, x, y, b);
                trainer.step(x, y, B, T, AdamSettings.of(1e-2f));
            }
            return measure(trainer);
        }
    }

    private static double[] measure(GruTrainer trainer) {
        SplittableRandom rng = new SplittableRandom(99);
        int n = 256;
        float[] x = new float[n * T * I];
        int[] y = new int[n];
        for (int b = 0; b < n; b++) sample(rng, x, y, b);
        double[] worst = new double[n];
        int right = 0;
        for (int frames = T - WATCHED + 1; frames <= T; frames++) {
            // the clips cut after `frames` frames: the model's output at that frame
            float[] prefix = new float[n * frames * I];
            for (int b = 0; b < n; b++) System.arraycopy(x, b * T * I, prefix, b * frames * I, frames * I);
            float[] logits = new float[n * CLASSES];
            trainer.infer(prefix, n, frames, logits);
            for (int b = 0; b < n; b++) {
                double p = 1 / (1 + Math.exp(logits[2 * b] - logits[2 * b + 1]));
                worst[b] = Math.max(worst[b], p);
                if (frames == T && (p > 0.5 ? KEYWORD : NEGATIVE) == y[b]) right++;
            }
        }
        double sum = 0;
        int negatives = 0;
        for (int b = 0; b < n; b++) {
            if (y[b] != NEGATIVE) continue;
            sum += worst[b];
            negatives++;
        }
        return new double[] {right / (double) n, sum / negatives};
    }

    @Test
    void frameLossKeepsNegativesQuietBeforeTheirEnd() {
        double[] plain = train(0f), framed = train(1f);
        assertTrue(plain[0] >= 0.95 && framed[0] >= 0.95, "last-frame accuracy: " + plain[0] + ", " + framed[0]);
        assertTrue(plain[1] > 0.5, "without the frame loss negatives look like keywords on the way: " + plain[1]);
        assertTrue(framed[1] < 0.2, "with it they do not: " + framed[1]);
    }
}
