package dev.earshot.gru;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The native core against golden vectors from the seed's own PyTorch cell in float64 (made by
 * {@code src/test/python/make_gru_golden.py}): hidden states, logits, loss, and autograd's gradients of
 * every parameter, of the input and of the initial states.
 */
class GruGoldenTest {
    private static Map<String, double[]> load(String name) throws IOException {
        Map<String, double[]> m = new HashMap<>();
        try (InputStream in = GruGoldenTest.class.getResourceAsStream("/golden/gru_" + name + ".txt")) {
            assertNotNull(in, "golden file for " + name);
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#")) continue;
                String[] f = line.trim().split(" ");
                int n = Integer.parseInt(f[1]);
                assertEquals(n + 2, f.length, "entry count of " + f[0]);
                double[] v = new double[n];
                for (int i = 0; i < n; i++) v[i] = Double.parseDouble(f[i + 2]);
                m.put(f[0], v);
            }
        }
        return m;
    }

    private static float[] f32(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "stacked", "kws"})
    void matchesPyTorchSeedCell(String name) throws IOException {
        Map<String, double[]> g = load(name);
        double[] dims = g.get("dims");
        int I = (int) dims[0], H = (int) dims[1], L = (int) dims[2], C = (int) dims[3], B = (int) dims[4], T = (int) dims[5];
        GruConfig cfg = new GruConfig(I, H, L, C);
        float[] p = f32(g.get("params"));
        assertEquals(cfg.parameterCount(), p.length, "parameter layout size");
        float[] x = f32(g.get("x"));
        float[] h0 = f32(g.get("h0"));
        int[] labels = new int[B];
        for (int b = 0; b < B; b++) labels[b] = (int) g.get("labels")[b];

        // The Java reference agrees with PyTorch to double precision (so it is a sound reference elsewhere).
        double[][] refLogits = new ReferenceGru(cfg).logits(ReferenceGru.toDouble(p), ReferenceGru.toDouble(x),
                ReferenceGru.toDouble(h0), B, T);
        for (int b = 0; b < B; b++)
            for (int k = 0; k < C; k++) assertEquals(g.get("logits")[b * C + k], refLogits[b][k], 1e-9);

        try (GruModel model = new GruModel(cfg, p); GruTrainer trainer = new GruTrainer(model, 2)) {
            float[] grads = new float[p.length], dx = new float[x.length], dh0 = new float[h0.length];
            double loss = trainer.gradients(x, h0, labels, B, T, grads, dx, dh0);
            assertEquals(g.get("loss")[0], loss, 1e-5, "loss");
            assertClose("grads", g.get("grads"), grads);
            assertClose("dx", g.get("dx"), dx);
            assertClose("dh0", g.get("dh0"), dh0);

            // Hidden states of the top layer and the logits, frame by frame through a stream started at h0.
            double[] states = g.get("states");  // [B, T, H] of the top layer
            try (GruStream stream = new GruStream(model, B)) {
                stream.setState(h0);
                float[] frame = new float[B * I], logits = new float[B * C];
                double worst = 0;
                for (int t = 0; t < T; t++) {
                    for (int b = 0; b < B; b++) System.arraycopy(x, (b * T + t) * I, frame, b * I, I);
                    stream.step(frame, logits);
                    float[] h = stream.state();
                    for (int b = 0; b < B; b++)
                        for (int j = 0; j < H; j++)
                            worst = Math.max(worst, Math.abs(h[((L - 1) * B + b) * H + j] - states[(b * T + t) * H + j]));
                }
                assertTrue(worst <= 1e-5, "max |h error| vs PyTorch = " + worst);
                double[] want = g.get("logits");
                for (int i = 0; i < want.length; i++) assertEquals(want[i], logits[i], 1e-5, "logit " + i);
            }
        }
    }

    private static void assertClose(String what, double[] want, float[] got) {
        assertEquals(want.length, got.length, what + " length");
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(want[i] - got[i]) / Math.max(1e-3, Math.max(Math.abs(want[i]), Math.abs(got[i])));
            worst = Math.max(worst, err);
        }
        assertTrue(worst <= 1e-3, what + ": worst relative error vs PyTorch autograd " + worst);
    }
}
