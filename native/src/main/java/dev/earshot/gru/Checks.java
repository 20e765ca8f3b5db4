package dev.earshot.gru;

/** Argument checks shared by the wrappers: every array is checked before it reaches native code. */
final class Checks {
    private Checks() {}

    static void positive(String name, int value) {
        if (value < 1) throw new IllegalArgumentException(name + " must be at least 1, got " + value);
    }

    static void smoothing(float s) {
        if (!(s >= 0f && s < 1f)) throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + s);
    }

    static void length(String name, float[] a, long expected) {
        if (a == null) throw new NullPointerException(name + " is null");
        if (a.length != expected) {
            throw new IllegalArgumentException(name + " has " + a.length + " elements, expected " + expected);
        }
    }

    static void optionalLength(String name, float[] a, long expected) {
        if (a != null) length(name, a, expected);
    }

    static void labels(int[] labels, int batch, int classes) {
        if (labels == null) throw new NullPointerException("labels is null");
        if (labels.length != batch) {
            throw new IllegalArgumentException("labels has " + labels.length + " elements, expected batch = " + batch);
        }
        for (int i = 0; i < batch; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(
                        "labels[" + i + "] = " + labels[i] + " is not a class in [0, " + classes + ")");
            }
        }
    }

    /** batch·frames·input as an array length, refusing products that do not fit a Java array. */
    static long clips(GruConfig c, int batch, int frames) {
        positive("batch", batch);
        positive("frames", frames);
        long n = (long) batch * frames * c.input();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("batch·frames·input = " + n + " does not fit one array");
        }
        return n;
    }
}
