package dev.earshot.gru;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every entry point refuses bad shapes, nulls and closed handles with a clear Java exception; the
 * native side's own checks hold even when the wrappers are bypassed. None of this may crash the JVM.
 */
class GruArgumentTest {
    private static final GruConfig CFG = new GruConfig(4, 3, 2, 5);

    private static void refuses(Class<? extends Throwable> type, String fragment, Executable call) {
        Throwable t = assertThrows(type, call);
        assertTrue(t.getMessage() != null && t.getMessage().contains(fragment),
                "message '" + t.getMessage() + "' should mention '" + fragment + "'");
    }

    @Test
    void configRefusesImpossibleShapes() {
        refuses(IllegalArgumentException.class, "hidden", () -> new GruConfig(4, 0, 1, 5));
        refuses(IllegalArgumentException.class, "classes", () -> new GruConfig(4, 3, 1, 1));
        refuses(IllegalArgumentException.class, "layers", () -> new GruConfig(4, 3, 0, 5));
        refuses(IllegalArgumentException.class, "input", () -> new GruConfig(-2, 3, 1, 5));
    }

    @Test
    void precisionRefusesWhatCannotRun() {
        refuses(IllegalArgumentException.class, "float32 or bfloat16", () -> Precision.parse("fp16"));
        assertEquals(Precision.BF16, Precision.parse(" BF16"));
        assertEquals(Precision.FP32, Precision.parse("Float32"));
        try (GruModel m = new GruModel(CFG, 1); GruTrainer t = new GruTrainer(m, 1)) {  // hidden 3
            refuses(IllegalArgumentException.class, Precision.bf16Supported() ? "even hidden size" : "AVX-512 BF16",
                    () -> t.setPrecision(Precision.BF16));
            assertEquals(Precision.FP32, t.precision());
        }
    }

    @Test
    void modelChecksEveryArray() {
        try (GruModel m = new GruModel(CFG, 1)) {
            refuses(IllegalArgumentException.class, "parameters", () -> m.setParameters(new float[3]));
            refuses(NullPointerException.class, "parameters", () -> m.setParameters(null));
            refuses(IllegalArgumentException.class, "x", () -> m.infer(new float[10], 2, 3, new float[10]));
            refuses(IllegalArgumentException.class, "logits", () -> m.infer(new float[24], 2, 3, new float[9]));
            refuses(IllegalArgumentException.class, "batch", () -> m.infer(new float[0], 0, 3, new float[0]));
            refuses(IllegalArgumentException.class, "frames", () -> m.infer(new float[0], 2, 0, new float[10]));
            refuses(IllegalArgumentException.class, "does not fit",
                    () -> m.infer(new float[1], 1 << 20, 1 << 20, new float[5]));
        }
    }

    @Test
    void trainerChecksLabelsShapesAndSettings() {
        try (GruModel m = new GruModel(CFG, 1); GruTrainer t = new GruTrainer(m, 2)) {
            float[] x = new float[2 * 3 * 4];
            AdamSettings adam = AdamSettings.of(1e-3f);
            refuses(IllegalArgumentException.class, "labels[1] = 5", () -> t.step(x, new int[] {0, 5}, 2, 3, adam));
            refuses(IllegalArgumentException.class, "labels[0] = -1", () -> t.step(x, new int[] {-1, 0}, 2, 3, adam));
            refuses(IllegalArgumentException.class, "labels has 1", () -> t.step(x, new int[] {0}, 2, 3, adam));
            refuses(NullPointerException.class, "labels", () -> t.step(x, null, 2, 3, adam));
            refuses(IllegalArgumentException.class, "x has", () -> t.step(new float[5], new int[] {0, 1}, 2, 3, adam));
            refuses(IllegalArgumentException.class, "h0", () -> t.gradients(x, new float[4], new int[] {0, 1}, 2, 3,
                    new float[(int) CFG.parameterCount()], null, null));
            refuses(IllegalArgumentException.class, "grads", () -> t.gradients(x, null, new int[] {0, 1}, 2, 3,
                    new float[1], null, null));
            refuses(IllegalArgumentException.class, "dx", () -> t.gradients(x, null, new int[] {0, 1}, 2, 3,
                    new float[(int) CFG.parameterCount()], new float[3], null));
            refuses(IllegalArgumentException.class, "m has", () -> t.setMoments(new float[1], new float[1], 0));
            refuses(IllegalArgumentException.class, "Adam", () -> new AdamSettings(1e-3f, 1f, 0.999f, 1e-8f, 0, 5));
            refuses(IllegalArgumentException.class, "threads", () -> new GruTrainer(m, 0));
            // After all the refusals a valid step still works.
            assertDoesNotThrow(() -> t.step(x, new int[] {0, 1}, 2, 3, adam));
            assertEquals(1, t.stepCount());
        }
    }

    @Test
    void streamChecksShapesAndIndices() {
        try (GruModel m = new GruModel(CFG, 1); GruStream s = new GruStream(m, 2)) {
            refuses(IllegalArgumentException.class, "x has", () -> s.step(new float[4], new float[10]));
            refuses(IllegalArgumentException.class, "logits", () -> s.step(new float[8], new float[5]));
            refuses(IndexOutOfBoundsException.class, "index 2", () -> s.reset(2));
            refuses(IllegalArgumentException.class, "state", () -> s.setState(new float[1]));
            refuses(IllegalArgumentException.class, "streams", () -> new GruStream(m, 0));
            refuses(NullPointerException.class, "weights", () -> new GruStream(m, 1, null));
            refuses(IllegalArgumentException.class, "streams", () -> new GruStream(m, 0, GruStream.Weights.INT8));
        }
    }

    /** A stream or trainer left unclosed holds its model only until the Cleaner frees it. */
    @Test
    void abandonedDependentsReleaseTheModel() throws InterruptedException {
        GruModel m = new GruModel(CFG, 1);
        openAndDrop(m);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            System.gc();
            try {
                m.close();
                break;
            } catch (IllegalStateException e) {
                assertTrue(e.getMessage().contains("still use it"), e.getMessage());
                assertTrue(System.nanoTime() < deadline, "the model stayed held by collected dependents: " + e.getMessage());
                Thread.sleep(20);
            }
        }
        refuses(IllegalStateException.class, "closed", m::parameters);
    }

    private static void openAndDrop(GruModel m) {
        for (int i = 0; i < 3; i++) {
            new GruStream(m, 1).step(new float[4], new float[5]);
            new GruTrainer(m, 1).stepCount();
        }
    }

    @Test
    void closedHandlesAreRefusedAndDependentsKeepTheModelOpen() {
        GruModel m = new GruModel(CFG, 1);
        GruStream s = new GruStream(m, 1);
        GruTrainer t = new GruTrainer(m, 1);
        refuses(IllegalStateException.class, "still use it", m::close);
        s.close();
        s.close();  // idempotent
        refuses(IllegalStateException.class, "closed", () -> s.step(new float[4], new float[5]));
        refuses(IllegalStateException.class, "closed", s::state);
        refuses(IllegalStateException.class, "still use it", m::close);
        t.close();
        refuses(IllegalStateException.class, "closed", () -> t.step(new float[12], new int[] {0}, 1, 3, AdamSettings.of(1e-3f)));
        refuses(IllegalStateException.class, "closed", t::stepCount);
        m.close();
        m.close();
        refuses(IllegalStateException.class, "closed", m::parameters);
        refuses(IllegalStateException.class, "closed", () -> m.infer(new float[12], 1, 3, new float[5]));
        refuses(IllegalStateException.class, "closed", () -> new GruStream(m, 1));
        refuses(IllegalStateException.class, "closed", () -> new GruTrainer(m, 1));
    }

    @Test
    void nativeChecksHoldWithoutTheWrappers() {
        // Straight into the binding with wrong sizes, null arrays, zero and foreign handles.
        long model = GruNative.eg_model_create(4, 3, 2, 5, 1);
        try {
            refuses(RuntimeException.class, "x has 23 elements", () ->
                    GruNative.eg_model_infer(model, new float[23], 23, 2, 3, new float[10], 10));
            refuses(RuntimeException.class, "params is null", () -> GruNative.eg_model_set_params(model, null, 5));
            refuses(RuntimeException.class, "not a live GRU model", () ->
                    GruNative.eg_model_get_params(0, new float[5], 5));
            refuses(RuntimeException.class, "hidden must be in", () -> GruNative.eg_model_create(4, 0, 1, 5, 1));
            long stream = GruNative.eg_stream_create(model, 1, 0);
            try {
                refuses(RuntimeException.class, "not a live GRU model", () ->
                        GruNative.eg_model_get_params(stream, new float[5], 5));
                refuses(RuntimeException.class, "logits has", () ->
                        GruNative.eg_stream_step(stream, new float[4], 4, new float[4], 4));
            } finally {
                GruNative.eg_stream_free(stream);
            }
            long trainer = GruNative.eg_trainer_create(model, 1);
            try {
                refuses(RuntimeException.class, "bf16 must be 0 or 1", () -> GruNative.eg_trainer_set_bf16(trainer, 7));
                refuses(RuntimeException.class, "bfloat16", () -> GruNative.eg_trainer_set_bf16(trainer, 1));  // hidden 3
            } finally {
                GruNative.eg_trainer_free(trainer);
            }
        } finally {
            GruNative.eg_model_free(model);
        }
    }
}
