package dev.earshot.api;

import dev.earshot.gru.NativeMemory;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.earshot.audio.FeatureSettings;
import dev.earshot.gru.GruConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Spotters opened, fed and closed thousands of times on one shared {@link KeywordModel}, and models with their
 * spotters left unclosed for the Cleaner, leave native memory where it was after a warm-up (see
 * {@link NativeMemory}: stretches of {@value #PER_STRETCH} spotters against a 256 KiB tolerance catch a leak of
 * about 175 bytes or more per spotter, of 700 bytes per abandoned model with its two spotters; one spotter's GRU
 * state alone is 5 KB, a model's weights 158 KB). With {@code delete s} taken out of {@code eg_stream_free}, both
 * tests failed (+22 and +5 MiB a stretch at the least).
 */
@Tag("native-memory")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpotterLeakTest {
    private static final int WARM_UP = 3_000;
    private static final int STRETCHES = 4;
    private static final int PER_STRETCH = 1_500;

    /** A mid-sized model: two layers of 64, so a spotter's native state (10 windows) is worth leaking. */
    static byte[] modelFile() {
        FeatureSettings fs = FeatureSettings.defaults();
        GruConfig arch = new GruConfig(fs.coefficients(), 64, 2, 6);
        float[] w = new float[(int) arch.parameterCount()];
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < w.length; i++) w[i] = (float) (0.2 * rng.nextGaussian());
        try {
            return ModelFile.encode(new ModelFile.Contents(List.of("_silence_", "_unknown_", "yes", "no", "up", "down"), fs,
                    arch, 16000, Map.of("data", "leak test"), w), ModelFile.Precision.INT8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final float[] AUDIO = noise();

    private static float[] noise() {
        SplittableRandom rng = new SplittableRandom(3);
        float[] a = new float[4800];
        for (int i = 0; i < a.length; i++) a[i] = (float) (0.3 * rng.nextGaussian());
        return a;
    }

    /** One spotter's life: 50–150 ms of audio as floats, shorts or bytes (one in 16 at 48 kHz, resampled). */
    static void spot(KeywordModel m, int i, boolean close) {
        int rate = i % 16 == 15 ? 48000 : 16000;
        Spotter s = new Spotter(m, DetectionSettings.defaults(), d -> {}, rate);
        int n = 800 * (1 + i % 3);
        switch (i % 3) {
            case 0 -> s.accept(AUDIO, 0, n);
            case 1 -> {
                short[] sh = new short[n];
                for (int k = 0; k < n; k++) sh[k] = (short) (AUDIO[k] * 32767);
                s.accept(sh);
            }
            default -> {
                byte[] b = new byte[2 * n];
                for (int k = 0; k < n; k++) b[2 * k + 1] = (byte) (AUDIO[k] * 127);
                s.acceptBytes(b, 0, b.length - 1);  // ends mid-sample: a carried byte
            }
        }
        if (close) s.close();
    }

    @Test
    @Order(1)
    void spottersOpenedAndClosedOnASharedModelLeaveNativeMemoryFlat() throws IOException {
        KeywordModel m = KeywordModel.load(new ByteArrayInputStream(modelFile()), "leak-test");
        long[] grew = NativeMemory.growth(WARM_UP, STRETCHES, PER_STRETCH, 200, i -> {
            spot(m, i, true);
            if (i % 50 == 0) m.classify(AUDIO);  // the clip classifier's per-call native buffers too
        });
        m.close();  // refuses if a closed spotter were still counted as using the model
        String leak = NativeMemory.leak(grew);
        assertNull(leak, "spotters opened and closed on a shared model leak: " + leak);
    }

    @Test
    @Order(2)  // last: its batches of dropped models leave freed memory behind, in which a small leak could hide
    void modelsAndSpottersLeftUnclosedAreFreedByTheCleaner() throws IOException {
        byte[] file = modelFile();
        long[] grew = NativeMemory.growth(WARM_UP / 4, STRETCHES, PER_STRETCH / 4, 25, i -> {
            try {
                // A model and two spotters on it, none closed: nothing frees them but the Cleaner.
                KeywordModel m = KeywordModel.load(new ByteArrayInputStream(file), "leak-test-" + i);
                spot(m, i, false);
                spot(m, i + 1, false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String leak = NativeMemory.leak(grew);
        assertNull(leak, "the Cleaner does not free models and spotters left unclosed: " + leak);
    }
}
