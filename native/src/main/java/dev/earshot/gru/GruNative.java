package dev.earshot.gru;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.CriticalRegion;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.openblas.presets.openblas;

/**
 * The JavaCPP binding of the C++ GRU core ({@code src/main/cpp/earshot/gru_api.h}): every native method of
 * Earshot sits in this class, and JavaCPP generates the JNI glue from it. Inheriting the OpenBLAS preset
 * makes JavaCPP load the preset's {@code libopenblas.so.0} before this library, so SGEMM is always the
 * preset's OpenBLAS.
 *
 * <p>Not for direct use: the C++ side checks its arguments and throws, but the safe wrappers
 * ({@link GruModel}, {@link GruTrainer}, {@link GruStream}) check them first with clear Java exceptions and
 * never pass a closed handle.
 */
@Properties(inherit = openblas.class, value = @Platform(
        compiler = "cpp17",
        include = {"earshot/gru.h", "earshot/gru_api.h", "earshot/packed_gemm.h", "earshot/gru.cpp", "earshot/gru_api.cpp",
                "earshot/packed_gemm.cpp"}))
public final class GruNative {
    static {
        Loader.load();
        // One OpenBLAS thread: parallelism is Earshot's own (batch slices); see gru_api.cpp.
        eg_blas_set_threads(1);
    }

    private GruNative() {}

    /** Loads the native library (idempotent). */
    public static void load() {}

    public static native long eg_param_count(int input, int hidden, int layers, int classes);

    public static native long eg_model_create(int input, int hidden, int layers, int classes, long seed);

    public static native void eg_model_free(long model);

    public static native void eg_model_get_params(long model, float[] out, long outLen);

    public static native void eg_model_set_params(long model, float[] in, long inLen);

    public static native void eg_model_infer(long model, float[] x, long xLen, int batch, int frames,
                                             float[] logits, long logitsLen);

    public static native long eg_trainer_create(long model, int threads);

    public static native void eg_trainer_free(long trainer);

    public static native double eg_trainer_step(long trainer, float[] x, long xLen, int[] labels, long labelsLen,
                                                int batch, int frames, float lr, float beta1, float beta2,
                                                float eps, float weightDecay, float clipNorm, float labelSmoothing,
                                                int[] correctOut);

    public static native double eg_trainer_gradients(long trainer, float[] x, long xLen, float[] h0, long h0Len,
                                                     int[] labels, long labelsLen, int batch, int frames,
                                                     float labelSmoothing, float[] grads, long gradsLen, float[] dx, long dxLen,
                                                     float[] dh0, long dh0Len, int[] correctOut);

    public static native void eg_trainer_apply(long trainer, float[] grads, long gradsLen, float lr, float beta1,
                                               float beta2, float eps, float weightDecay, float clipNorm);

    public static native void eg_trainer_infer(long trainer, float[] x, long xLen, int batch, int frames,
                                               float[] logits, long logitsLen);

    public static native long eg_trainer_get_step(long trainer);

    public static native void eg_trainer_get_moments(long trainer, float[] m, float[] v, long len);

    public static native void eg_trainer_set_moments(long trainer, float[] m, float[] v, long len, long step);

    public static native int eg_trainer_threads(long trainer);

    public static native void eg_trainer_set_bf16(long trainer, int on);

    public static native int eg_trainer_get_bf16(long trainer);

    public static native int eg_bf16_supported();

    public static native long eg_stream_create(long model, int streams, int int8Recurrent);

    public static native void eg_stream_free(long stream);

    /** Pins x and logits instead of copying them: a microsecond call, no JNI callbacks, no blocking. */
    @CriticalRegion
    public static native void eg_stream_step(long stream, float[] x, long xLen, float[] logits, long logitsLen);

    public static native void eg_stream_get_state(long stream, float[] out, long len);

    public static native void eg_stream_set_state(long stream, float[] in, long len);

    public static native void eg_stream_reset(long stream, int index);

    public static native void eg_blas_set_threads(int threads);

    public static native int eg_blas_get_threads();

    public static native String eg_blas_info();
}
