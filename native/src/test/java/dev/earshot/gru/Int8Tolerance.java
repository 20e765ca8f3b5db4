package dev.earshot.gru;

/**
 * How far an int8 stream may be from the same model's float stream, for tests that compare the two (this module's and,
 * through its test jar, the api module's). With every Wh already int8 multiples of its block scales, the float
 * kernels compute the float stream's numbers to float rounding (1e-5). The AVX-512 VNNI kernel also rounds x to int16
 * per 64-column block, 2^-16 of the block's largest |x| per product: 1e-5..4e-5 after many steps, as the C++
 * reference test measures, so 1e-4 for it.
 */
public final class Int8Tolerance {
    private Int8Tolerance() {}

    /** The bound for the int8 kernel this CPU runs ({@link Blas#int8Kernel()}). */
    public static float streamBound() {
        return Blas.int8Kernel().equals("avx512vnni") ? 1e-4f : 1e-5f;
    }
}
