package dev.earshot.gru;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A step in two halves, {@link GruTrainer#gradients(float[], int[], int, int, float, float[])} then
 * {@link GruTrainer#apply}, trains exactly as {@link GruTrainer#step} does: same parameters, bit for bit, and the
 * same Adam moments, over many steps on one and two threads, with clipping that bites on some of them. This is what
 * lets data-parallel training put an all-reduce between the halves and still give one machine's model.
 */
class GruSplitStepTest {
    private static final GruConfig CFG = new GruConfig(5, 33, 2, 4);
    private static final int B = 10, T = 7;

    @Test
    void twoHalvesGiveTheStepsBytes() {
        for (int threads : new int[] {1, 2}) {
            try (GruModel a = new GruModel(CFG, 11); GruModel b = new GruModel(CFG, 11);
                 GruTrainer ta = new GruTrainer(a, threads); GruTrainer tb = new GruTrainer(b, threads)) {
                SplittableRandom rng = new SplittableRandom(5);
                float[] grads = new float[(int) CFG.parameterCount()];
                for (int step = 0; step < 20; step++) {
                    float[] x = new float[B * T * CFG.input()];
                    for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
                    int[] y = new int[B];
                    for (int i = 0; i < B; i++) y[i] = rng.nextInt(CFG.classes());
                    AdamSettings adam = new AdamSettings(3e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, step % 3 == 0 ? 0.05f : 5f);
                    GruTrainer.StepResult whole = ta.step(x, y, B, T, adam, 0.1f);
                    GruTrainer.StepResult half = tb.gradients(x, y, B, T, 0.1f, grads);
                    tb.apply(grads, adam);
                    assertEquals(whole.loss(), half.loss(), 0.0, "loss, step " + step);
                    assertEquals(whole.correct(), half.correct(), "correct, step " + step);
                    assertArrayEquals(a.parameters(), b.parameters(), 0f, threads + " threads, step " + step);
                }
                int n = (int) CFG.parameterCount();
                float[] ma = new float[n], va = new float[n], mb = new float[n], vb = new float[n];
                ta.moments(ma, va);
                tb.moments(mb, vb);
                assertArrayEquals(ma, mb, 0f);
                assertArrayEquals(va, vb, 0f);
                assertEquals(ta.stepCount(), tb.stepCount());
            }
        }
    }

    @Test
    void applyRefusesGradientsOfAnotherShape() {
        try (GruModel m = new GruModel(CFG, 1); GruTrainer t = new GruTrainer(m, 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> t.apply(new float[3], AdamSettings.of(1e-3f)));
            assertEquals(true, e.getMessage().contains("grads"), e.getMessage());
        }
    }
}
