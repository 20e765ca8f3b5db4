package dev.earshot.gru;

/** The OpenBLAS that the core runs on: its build and kernel, and its own thread count (1 by default). */
public final class Blas {
    private Blas() {}

    /**
     * The int8 streaming kernel: "avx512vnni" (x rounded to int16 per 64-column block, products summed exactly in
     * int32; results within about 1e-4 of the float products after many steps), "avx512", "avx2" or "scalar" (float
     * sums of the exact products).
     */
    public static String int8Kernel() {
        String info = info();
        int at = info.indexOf("int8=");
        if (at < 0) return "unknown";
        int end = info.indexOf(' ', at);
        return info.substring(at + 5, end < 0 ? info.length() : end);
    }

    /**
     * OpenBLAS's configuration string and the kernel it picked, then the int8 streaming kernel Earshot picked, e.g.
     * "OpenBLAS 0.3.31 ... core=Haswell int8=avx512 recurrent=avx512 bf16=avx512" (recurrent: the training step's packed
     * recurrent products, or "blas" where OpenBLAS does them; bf16: whether {@link Precision#BF16} runs, "avx512" or "none";
     * int8: "avx512vnni", "avx512", "avx2" or "scalar").
     */
    public static String info() {
        GruNative.load();
        return GruNative.eg_blas_info();
    }

    /** The threads OpenBLAS uses for a call. */
    public static int threads() {
        GruNative.load();
        return GruNative.eg_blas_get_threads();
    }

    /** Sets OpenBLAS's own thread count (process-wide). Earshot keeps it at 1 and slices batches itself. */
    public static void setThreads(int threads) {
        if (threads < 1 || threads > 256) throw new IllegalArgumentException("threads must be in [1, 256], got " + threads);
        GruNative.load();
        GruNative.eg_blas_set_threads(threads);
    }
}
