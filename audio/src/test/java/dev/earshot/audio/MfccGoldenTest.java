package dev.earshot.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.audio.FeatureSettings.FrameLayout;
import org.junit.jupiter.api.Test;

/**
 * Earshot's MFCC against torchaudio (the anchor's Frontend) on real Speech Commands clips; goldens made by
 * src/test/python/make_mfcc_golden.py.
 *
 * <p>Relative error is {@code |a - b| / max(|b|, FLOOR)} with FLOOR = 1.0: MFCCs here range over about
 * ±100 (c0 of a log-mel near log(1e-6) ≈ -13.8 is about -87), and a coefficient that happens to pass near zero
 * has no meaningful relative error; below 1.0 this is an absolute error bound of 1e-3.
 */
class MfccGoldenTest {
    static final double FLOOR = 1.0;
    static final double MAX_REL = 1e-3;

    static double maxRelErr(float[][] got, float[][] want) {
        assertEquals(want.length, got.length, "frames");
        double worst = 0;
        for (int t = 0; t < want.length; t++) {
            assertEquals(want[t].length, got[t].length, "coefficients");
            for (int c = 0; c < want[t].length; c++) {
                double e = Math.abs(got[t][c] - want[t][c]) / Math.max(Math.abs(want[t][c]), FLOOR);
                worst = Math.max(worst, e);
            }
        }
        return worst;
    }

    private static void check(String setting, FeatureSettings s) throws Exception {
        Mfcc mfcc = new Mfcc(s);
        double overall = 0;
        for (String stem : Fixtures.SPEECH) {
            AudioClip clip = Fixtures.speech(stem);
            float[][] got = mfcc.compute(clip.samples());
            float[][] want = Fixtures.golden("mfcc_" + setting + "_" + stem);
            double e = maxRelErr(got, want);
            System.out.printf("mfcc %s %s: %d x %d frames, max rel err %.3g%n", setting, stem, got.length,
                    got.length == 0 ? 0 : got[0].length, e);
            assertTrue(e <= MAX_REL, setting + " " + stem + ": max relative error " + e + " > " + MAX_REL);
            overall = Math.max(overall, e);
        }
        System.out.printf("mfcc %s: max rel err over all clips %.3g%n", setting, overall);
    }

    @Test
    void defaultSettingsMatchTorchaudio() throws Exception {
        check("default", FeatureSettings.defaults());
    }

    @Test
    void thirtyTenFortyCoefficientsMatchTorchaudio() throws Exception {
        check("w30h10c40", FeatureSettings.builder().windowMillis(30, 10).coefficients(40).build());
    }

    @Test
    void windowLayoutMatchesTorchReference() throws Exception {
        check("window", FeatureSettings.builder().layout(FrameLayout.WINDOW).build());
    }

    /** The log-mel stage alone against the Frontend's log-mel, and logMel then cepstra is compute, bit for bit. */
    @Test
    void logMelStageMatchesTorchaudioAndComposesToCompute() throws Exception {
        Mfcc mfcc = new Mfcc(FeatureSettings.defaults());
        double overall = 0;
        for (String stem : Fixtures.SPEECH) {
            float[] x = Fixtures.speech(stem).samples();
            int frames = mfcc.frameCount(x.length);
            float[] lm = new float[frames * 40 + 7];
            assertEquals(frames, mfcc.logMel(x, 0, x.length, lm, 7));
            float[][] got = new float[frames][40];
            for (int t = 0; t < frames; t++) System.arraycopy(lm, 7 + t * 40, got[t], 0, 40);
            double e = maxRelErr(got, Fixtures.golden("logmel_default_" + stem));
            assertTrue(e <= MAX_REL, stem + ": log-mel max relative error " + e);
            overall = Math.max(overall, e);
            float[] cep = new float[frames * 10];
            mfcc.cepstra(lm, 7, frames, cep, 0);
            float[][] direct = mfcc.compute(x);
            for (int t = 0; t < frames; t++) {
                for (int c = 0; c < 10; c++) assertEquals(direct[t][c], cep[t * 10 + c], 0f, "frame " + t + " coef " + c);
            }
        }
        System.out.printf("logmel default: max rel err over all clips %.3g%n", overall);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> mfcc.logMel(new float[16000], 0, 16000, new float[100], 0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> mfcc.cepstra(new float[80], 0, 3, new float[30], 0));
        org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                () -> mfcc.logMel(new float[10], 5, 6, new float[0], 0));
    }

    @Test
    void oneSecondGives47FramesTorchLayoutAnd49WindowLayout() throws Exception {
        AudioClip clip = Fixtures.speech("yes_03401e93_nohash_0");
        assertEquals(16000, clip.samples().length);
        assertEquals(47, new Mfcc(FeatureSettings.defaults()).compute(clip.samples()).length);
        FeatureSettings w = FeatureSettings.builder().layout(FrameLayout.WINDOW).build();
        assertEquals(49, new Mfcc(w).compute(clip.samples()).length);
    }

    /** One Mfcc shared by threads gives every thread the same frames (per-thread scratch, immutable tables). */
    @Test
    void sharedAcrossThreads() throws Exception {
        Mfcc mfcc = new Mfcc(FeatureSettings.defaults());
        float[][] clips = new float[Fixtures.SPEECH.length][];
        float[][][] want = new float[clips.length][][];
        for (int i = 0; i < clips.length; i++) {
            clips[i] = Fixtures.speech(Fixtures.SPEECH[i]).samples();
            want[i] = mfcc.compute(clips[i]);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int task = 0; task < 24; task++) {
                final int i = task % clips.length;
                results.add(pool.submit(() -> {
                    for (int rep = 0; rep < 20; rep++) {
                        if (!java.util.Arrays.deepEquals(want[i], mfcc.compute(clips[i]))) return false;
                    }
                    return true;
                }));
            }
            for (java.util.concurrent.Future<Boolean> r : results) assertTrue(r.get());
        } finally {
            pool.shutdownNow();
        }
    }
}
