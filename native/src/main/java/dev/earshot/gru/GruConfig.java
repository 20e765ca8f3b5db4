package dev.earshot.gru;

/**
 * The shape of a GRU classifier: {@code input} features per frame, {@code layers} GRU layers of
 * {@code hidden} units, and a dense softmax head over {@code classes}.
 */
public record GruConfig(int input, int hidden, int layers, int classes) {
    /** Checks every dimension's range (as the native core does). */
    public GruConfig {
        check("input", input, 1, 1 << 16);
        check("hidden", hidden, 1, 1 << 16);
        check("layers", layers, 1, 64);
        check("classes", classes, 2, 1 << 16);
    }

    private static void check(String name, int value, int lo, int hi) {
        if (value < lo || value > hi) {
            throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hi + "], got " + value);
        }
    }

    /** Number of float parameters (GRU layers and head), as laid out by {@link GruModel#parameters()}. */
    public long parameterCount() {
        long n = 0;
        for (int l = 0; l < layers; l++) {
            long in = l == 0 ? input : hidden;
            n += 3L * hidden * (in + hidden) + 3L * hidden;
        }
        return n + (long) classes * hidden + classes;
    }
}
