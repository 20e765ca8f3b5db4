package dev.earshot.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import be.tarsos.dsp.util.fft.FloatFFT;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The batched radix-4 FFT inside {@link Mfcc.Kernel} against TarsosDSP's {@link FloatFFT} (an independent
 * JTransforms/Ooura split radix), and the property the streaming path relies on: a frame's result does not
 * depend on how many frames share the batch or which lane it sits in.
 */
class MfccFftTest {
    /** Power spectrum of the windowed frame {@code x} (window at 0, zero padded to n) through FloatFFT, in double. */
    static double[] referencePower(float[] x, int n) {
        float[] buf = new float[n];
        System.arraycopy(x, 0, buf, 0, x.length);
        new FloatFFT(n).realForward(buf);
        double[] p = new double[n / 2 + 1];
        p[0] = (double) buf[0] * buf[0];
        p[n / 2] = (double) buf[1] * buf[1];
        for (int k = 1; k < n / 2; k++) p[k] = (double) buf[2 * k] * buf[2 * k] + (double) buf[2 * k + 1] * buf[2 * k + 1];
        return p;
    }

    /**
     * Every power-of-two size from 16 to 8192 (odd and even log2 of the complex size), full and short windows,
     * through the batched lanes and the single-frame path.
     */
    @Test
    void powerSpectrumMatchesTarsosFft() {
        Random rnd = new Random(7);
        int checked = 0;
        for (int n = 16; n <= 8192; n *= 2) {
            for (int win : new int[] {n, n * 5 / 8, 16, n / 2 + 1}) for (int lanes : new int[] {1, 5}) {
                if (win < 16 || win > n) continue;
                FeatureSettings s = FeatureSettings.builder().sampleRate(16000).windowLength(win).hopLength(win)
                        .fftSize(n).melBands(Math.min(8, n / 2)).coefficients(4).frequencyRange(0, 8000).build();
                Mfcc mfcc = new Mfcc(s);
                // one lane takes the flat single-frame path
                Mfcc.Kernel k = mfcc.new Kernel(lanes);
                float[][] frames = new float[lanes == 1 ? 1 : 3][win];
                for (float[] f : frames) {
                    for (int i = 0; i < win; i++) f[i] = (float) rnd.nextGaussian();
                    k.load(f, 0, 0, win); // the kernel applies the window; the reference the same one
                    k.commit();
                }
                float[][] got = k.powerSpectra();
                for (int f = 0; f < frames.length; f++) {
                    double[] ref = referencePower(windowed(mfcc, frames[f]), n);
                    double scale = 0;
                    for (double v : ref) scale = Math.max(scale, v);
                    for (int b = 0; b <= n / 2; b++) {
                        double err = Math.abs(got[b][f] - ref[b]);
                        assertTrue(err <= 1e-5 * scale + 1e-4 * Math.abs(ref[b]),
                                "n=" + n + " win=" + win + " frame " + f + " bin " + b + ": " + got[b][f] + " vs " + ref[b]);
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > 20000, "bins checked: " + checked);
    }

    /** A frame gives the same bits alone, in lane 0 or in lane 37 of a full batch. */
    @Test
    void laneAndBatchSizeDoNotChangeTheBits() {
        Mfcc mfcc = new Mfcc(FeatureSettings.defaults());
        Random rnd = new Random(11);
        int win = mfcc.win;
        float[][] frames = new float[Mfcc.BATCH_FRAMES][win];
        for (float[] f : frames) for (int i = 0; i < win; i++) f[i] = (float) (0.1 * rnd.nextGaussian());
        Mfcc.Kernel batch = mfcc.new Kernel(Mfcc.BATCH_FRAMES);
        for (float[] f : frames) {
            batch.load(f, 0, 0, win);
            batch.commit();
        }
        float[] all = new float[Mfcc.BATCH_FRAMES * mfcc.nMels];
        batch.logMels(all, 0);
        Mfcc.Kernel one = mfcc.new Kernel(1);
        for (int f : new int[] {0, 1, 37, Mfcc.BATCH_FRAMES - 1}) {
            one.load(frames[f], 0, 0, win);
            one.commit();
            float[] alone = new float[mfcc.nMels];
            one.logMels(alone, 0);
            float[] inBatch = java.util.Arrays.copyOfRange(all, f * mfcc.nMels, (f + 1) * mfcc.nMels);
            assertArrayEquals(alone, inBatch, 0f, "frame " + f);
        }
    }

    /** The vectorizable log against Math.log: within 2 ulp over the whole positive normal range; the rest exact. */
    @Test
    void logMatchesMathLog() {
        Random rnd = new Random(3);
        float[] x = new float[4096];
        float[] got = new float[x.length];
        for (int round = 0; round < 200; round++) {
            for (int i = 0; i < x.length; i++) {
                x[i] = switch (round) {
                    case 0 -> Float.intBitsToFloat(0x00800000 + (int) ((long) i * (0x7f7fffffL - 0x00800000L) / 4095)); // all exponents
                    case 1 -> 1f + (i - 2048) * 1e-6f; // around 1, where log is near zero
                    default -> (float) Math.exp(rnd.nextDouble() * 176 - 87);
                };
            }
            Mfcc.log(x, got, x.length);
            for (int i = 0; i < x.length; i++) {
                float want = (float) Math.log(x[i]);
                assertTrue(got[i] == want || Math.abs(got[i] - want) <= 2 * Math.ulp(want) || Math.abs(got[i] - want) <= 6e-8f,
                        "log(" + x[i] + ") = " + got[i] + ", Math.log " + want);
            }
        }
        float[] odd = {0f, -0f, -1f, Float.MIN_VALUE, 1e-40f, Float.POSITIVE_INFINITY, Float.NaN, Float.MAX_VALUE};
        float[] out = new float[odd.length];
        Mfcc.log(odd, out, odd.length);
        for (int i = 0; i < odd.length; i++) {
            assertEquals((float) Math.log(odd[i]), out[i], "log(" + odd[i] + ")"); // exact: these take Math.log
        }
    }

    private static float[] windowed(Mfcc mfcc, float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i] * mfcc.window[i];
        return y;
    }
}
