package dev.earshot.gru;

/**
 * How a training step multiplies: {@link #FP32} in float throughout; {@link #BF16} with the GRU layers' recurrent
 * products and weight gradients on operands rounded to bfloat16 (8 significant bits) and summed in float, as mixed
 * precision training does on accelerators. Parameters, Adam's moments, the gates, the head and inference stay float.
 * BF16 needs a CPU with AVX-512 BF16 ({@link #bf16Supported()}), where it does twice the float kernel's work per
 * instruction, and an even hidden size.
 */
public enum Precision {
    FP32, BF16;

    /** Whether this CPU (and build) runs {@link #BF16}. */
    public static boolean bf16Supported() {
        GruNative.load();
        return GruNative.eg_bf16_supported() == 1;
    }

    /** "float32" or "bfloat16", as the command line and the model's provenance spell it. */
    public String label() {
        return this == FP32 ? "float32" : "bfloat16";
    }

    /** From "float32" or "bfloat16" (or fp32, bf16; any case); names the choices otherwise. */
    public static Precision parse(String s) {
        for (Precision p : values()) {
            String t = s.trim();
            if (p.label().equalsIgnoreCase(t) || p.name().equalsIgnoreCase(t)) return p;
        }
        throw new IllegalArgumentException("must be float32 or bfloat16, got '" + s + "'");
    }

    /** Refuses BF16 where it cannot run (this CPU, or an odd hidden size), saying why. */
    public void check(int hidden) {
        if (this != BF16) return;
        if (!bf16Supported()) {
            throw new IllegalArgumentException("bfloat16 products need a CPU with AVX-512 BF16 (this one: " + Blas.info()
                    + "); use float32");
        }
        if (hidden % 2 != 0) {
            throw new IllegalArgumentException("bfloat16 products need an even hidden size, got " + hidden);
        }
    }
}
