package dev.earshot.datasets;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {
    private static BackgroundNoise noise() {
        SplittableRandom r = new SplittableRandom(9);
        float[] a = new float[40000], b = new float[20000];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        for (int i = 0; i < b.length; i++) b[i] = (float) (r.nextDouble() * 2 - 1);
        return BackgroundNoise.of(List.of("a", "b"), List.of(a, b), Augmenter.CLIP_SAMPLES);
    }

    @Test
    void fitPadsWithZerosOrTruncates() {
        float[] x = {1, 2, 3};
        assertArrayEquals(new float[]{1, 2, 3, 0, 0}, Augmenter.fit(x, 5));
        assertArrayEquals(new float[]{1, 2}, Augmenter.fit(x, 2));
    }

    @Test
    void timeShiftMovesAndZeroFills() {
        float[] x = {1, 2, 3, 4, 5};
        assertArrayEquals(new float[]{0, 0, 1, 2, 3}, Augmenter.timeShift(x, 2));
        assertArrayEquals(new float[]{3, 4, 5, 0, 0}, Augmenter.timeShift(x, -2));
        assertArrayEquals(x, Augmenter.timeShift(x, 0));
        assertArrayEquals(new float[5], Augmenter.timeShift(x, 7));
    }

    @Test
    void augmentIsSeededAndStaysInRange() {
        Augmenter aug = new Augmenter(noise(), Augmenter.Settings.tensorflow());
        float[] clip = Fixtures.tone(3, 12000);
        float[] a = aug.augment(clip, new SplittableRandom(11));
        float[] b = aug.augment(clip, new SplittableRandom(11));
        float[] c = aug.augment(clip, new SplittableRandom(12));
        assertEquals(16000, a.length);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        for (float v : a) assertTrue(v >= -1 && v <= 1);
    }

    @Test
    void noiseIsAddedAboutEightyPercentOfTheTimeAtAtMostTheVolume() {
        // No shift, so the clean part is known: any difference is noise.
        Augmenter aug = new Augmenter(noise(), new Augmenter.Settings(0.8, 0.1, 0, 1.0));
        float[] clip = Augmenter.fit(Fixtures.tone(1, 16000), 16000);
        for (int i = 0; i < clip.length; i++) clip[i] *= 0.5f; // headroom: no clamping
        SplittableRandom rng = new SplittableRandom(1);
        int noisy = 0, n = 2000;
        for (int k = 0; k < n; k++) {
            float[] y = aug.augment(clip, rng);
            double maxDiff = 0;
            for (int i = 0; i < y.length; i++) maxDiff = Math.max(maxDiff, Math.abs(y[i] - clip[i]));
            assertTrue(maxDiff <= 0.1 + 1e-6, "noise louder than the volume bound: " + maxDiff);
            if (maxDiff > 0) noisy++;
        }
        assertEquals(0.8, noisy / (double) n, 0.03);
    }

    @Test
    void shiftsStayWithinHundredMilliseconds() {
        Augmenter aug = new Augmenter(null, new Augmenter.Settings(0, 0, 1600, 1));
        float[] impulse = new float[16000];
        impulse[8000] = 1;
        SplittableRandom rng = new SplittableRandom(4);
        int min = Integer.MAX_VALUE, max = Integer.MIN_VALUE;
        for (int k = 0; k < 3000; k++) {
            float[] y = aug.augment(impulse, rng);
            int at = -1;
            for (int i = 0; i < y.length; i++) if (y[i] == 1f) at = i;
            int shift = at - 8000;
            min = Math.min(min, shift);
            max = Math.max(max, shift);
        }
        assertTrue(min >= -1600 && max < 1600, min + ".." + max);
        assertTrue(min < -1500 && max > 1500, "shifts should span the range: " + min + ".." + max);
    }

    @Test
    void silenceIsNoiseOnly() {
        BackgroundNoise nz = noise();
        Augmenter aug = new Augmenter(nz, Augmenter.Settings.tensorflow());
        float[] s1 = aug.silence(new SplittableRandom(5));
        assertArrayEquals(s1, aug.silence(new SplittableRandom(5)));
        double energy = 0;
        for (float v : s1) {
            assertTrue(Math.abs(v) <= 1);
            energy += v * v;
        }
        assertTrue(energy > 0, "silence from noise should not be digital zero");
        assertThrows(IllegalStateException.class, () -> new Augmenter(null, Augmenter.Settings.tensorflow()).silence(new SplittableRandom(1)));
    }

    @Test
    void shortNoiseIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> BackgroundNoise.of(List.of("short"), List.of(new float[16000]), 16000));
    }

    @Test
    void speedPerturbationChangesLengthAndPitch() {
        int n = 16000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) Math.sin(2 * Math.PI * 500 * i / 16000.0);
        float[] fast = SpeedPerturbation.apply(x, 16000, 1.1);
        float[] slow = SpeedPerturbation.apply(x, 16000, 0.9);
        assertEquals(n / 1.1, fast.length, 2);
        assertEquals(n / 0.9, slow.length, 2);
        // Zero crossings in the middle half measure the frequency: 500 Hz becomes 550 / 450 Hz.
        assertEquals(550, frequency(fast), 5);
        assertEquals(450, frequency(slow), 5);
        assertArrayEquals(x, SpeedPerturbation.apply(x, 16000, 1.0));
        assertThrows(IllegalArgumentException.class, () -> SpeedPerturbation.apply(x, 16000, 3.0));
        float[] r1 = SpeedPerturbation.random(x, 16000, 0.9, 1.1, new SplittableRandom(2));
        float[] r2 = SpeedPerturbation.random(x, 16000, 0.9, 1.1, new SplittableRandom(2));
        assertArrayEquals(r1, r2);
    }

    private static double frequency(float[] y) {
        int a = y.length / 4, b = 3 * y.length / 4, crossings = 0;
        for (int i = a + 1; i < b; i++) if ((y[i - 1] < 0) != (y[i] < 0)) crossings++;
        return crossings / 2.0 / ((b - a) / 16000.0);
    }

    @Test
    void specAugmentMasksWithinBoundsAndFlatEqualsTwoD() {
        int frames = 47, bins = 10;
        float[] flat = new float[frames * bins];
        Arrays.fill(flat, 1f);
        SpecAugment.Settings s = new SpecAugment.Settings(2, 8, 2, 3, 0f);
        SpecAugment.apply(flat, frames, bins, s, new SplittableRandom(8));
        float[][] two = new float[frames][bins];
        for (float[] row : two) Arrays.fill(row, 1f);
        SpecAugment.apply(two, s, new SplittableRandom(8));
        for (int t = 0; t < frames; t++) for (int f = 0; f < bins; f++) assertEquals(flat[t * bins + f], two[t][f]);
        // Masked cells form whole frames and whole bins only.
        int fullFrames = 0, fullBins = 0;
        for (int t = 0; t < frames; t++) {
            boolean all = true;
            for (int f = 0; f < bins; f++) all &= flat[t * bins + f] == 0f;
            if (all) fullFrames++;
        }
        for (int f = 0; f < bins; f++) {
            boolean all = true;
            for (int t = 0; t < frames; t++) all &= flat[t * bins + f] == 0f;
            if (all) fullBins++;
        }
        assertTrue(fullFrames <= 16 && fullBins <= 6, fullFrames + " frames, " + fullBins + " bins masked");
        for (int t = 0; t < frames; t++) {
            for (int f = 0; f < bins; f++) {
                if (flat[t * bins + f] == 0f) {
                    boolean frameMasked = true, binMasked = true;
                    for (int g = 0; g < bins; g++) frameMasked &= flat[t * bins + g] == 0f;
                    for (int u = 0; u < frames; u++) binMasked &= flat[u * bins + f] == 0f;
                    assertTrue(frameMasked || binMasked, "stray masked cell at " + t + "," + f);
                }
            }
        }
    }

    @Test
    void specAugmentMasksSomethingOverManyDrawsAndChecksShape() {
        int masked = 0;
        SplittableRandom rng = new SplittableRandom(3);
        for (int k = 0; k < 100; k++) {
            float[] x = new float[20 * 4];
            Arrays.fill(x, 2f);
            SpecAugment.timeMasks(x, 20, 4, 1, 5, -1f, rng);
            for (float v : x) if (v == -1f) masked++;
        }
        // Width uniform in [0, 5]: mean 2.5 frames x 4 bins x 100 draws = 1000 cells.
        assertEquals(1000, masked, 200);
        assertThrows(IllegalArgumentException.class, () -> SpecAugment.timeMasks(new float[10], 3, 4, 1, 1, 0, new SplittableRandom(1)));
    }
}
