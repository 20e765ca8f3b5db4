package dev.earshot.gru;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The native forward pass against the plain double-precision reference of the equations. */
class GruForwardTest {
    @ParameterizedTest(name = "I={0} H={1} L={2} C={3} B={4} T={5}")
    @CsvSource({
            "1, 1, 1, 2, 1, 1",
            "3, 5, 1, 3, 2, 7",
            "10, 16, 2, 12, 5, 20",
            "40, 64, 1, 12, 3, 49",
            "13, 33, 3, 35, 4, 9",
            "40, 128, 2, 12, 2, 98",
    })
    void logitsAndStatesMatchReference(int I, int H, int L, int C, int B, int T) {
        GruConfig cfg = new GruConfig(I, H, L, C);
        SplittableRandom rng = new SplittableRandom(I * 1000L + H * 10L + L);
        float[] x = TestData.uniform(rng, B * T * I, 2.0);
        try (GruModel model = new GruModel(cfg, 42)) {
            // Larger than initial weights, so gates saturate somewhere and tanh/σ are tested over a wide range.
            float[] p = TestData.uniform(rng, (int) cfg.parameterCount(), 1.5 / Math.sqrt(H));
            model.setParameters(p);
            float[] logits = new float[B * C];
            model.infer(x, B, T, logits);
            ReferenceGru ref = new ReferenceGru(cfg);
            double[] pd = ReferenceGru.toDouble(p);
            double[][] want = ref.logits(pd, ReferenceGru.toDouble(x), null, B, T);
            double maxErr = 0;
            for (int b = 0; b < B; b++)
                for (int k = 0; k < C; k++) maxErr = Math.max(maxErr, Math.abs(logits[b * C + k] - want[b][k]));
            assertTrue(maxErr <= 1e-5, "max |logit error| = " + maxErr);

            // Trainer inference over thread slices gives the same logits.
            try (GruTrainer trainer = new GruTrainer(model, 2)) {
                float[] logits2 = new float[B * C];
                trainer.infer(x, B, T, logits2);
                for (int i = 0; i < logits.length; i++) assertEquals(logits[i], logits2[i], 1e-6f);
            }

            // Hidden states, through the stream API, step by step.
            double[][][][] hs = ref.hiddenStates(pd, ReferenceGru.toDouble(x), null, B, T);
            try (GruStream stream = new GruStream(model, B)) {
                float[] frame = new float[B * I];
                float[] out = new float[B * C];
                double maxH = 0;
                for (int t = 0; t < T; t++) {
                    for (int b = 0; b < B; b++) System.arraycopy(x, (b * T + t) * I, frame, b * I, I);
                    stream.step(frame, out);
                    float[] state = stream.state();
                    for (int l = 0; l < L; l++)
                        for (int b = 0; b < B; b++)
                            for (int j = 0; j < H; j++)
                                maxH = Math.max(maxH, Math.abs(state[(l * B + b) * H + j] - hs[l][t][b][j]));
                }
                assertTrue(maxH <= 1e-5, "max |h error| = " + maxH);
                for (int i = 0; i < logits.length; i++) {
                    assertEquals(logits[i], out[i], 1e-5f, "stream logits after T frames = sequence logits");
                }
            }
        }
    }
}
