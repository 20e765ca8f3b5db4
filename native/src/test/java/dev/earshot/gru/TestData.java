package dev.earshot.gru;

import java.util.SplittableRandom;

/** Seeded random tensors for the tests. */
final class TestData {
    private TestData() {}

    static float[] uniform(SplittableRandom rng, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        return a;
    }

    static int[] labels(SplittableRandom rng, int n, int classes) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = rng.nextInt(classes);
        return a;
    }
}
