package dev.earshot.datasets;

import java.util.SplittableRandom;

/**
 * SpecAugment's masks (Park et al. 2019) on feature frames, in place: time masks set whole frames
 * {@code [t0, t0 + w)} to a fill value, frequency masks set bins {@code [f0, f0 + w)} of every frame. A mask's
 * width is uniform in {@code [0, maxWidth]} and its start uniform over the positions where it fits. Features
 * are either {@code float[frames][bins]} or a flat frame-major {@code float[frames * bins]}.
 */
public final class SpecAugment {
    /**
     * Mask settings.
     *
     * @param timeMasks          how many time masks
     * @param maxTimeWidth       widest time mask in frames
     * @param frequencyMasks     how many frequency masks
     * @param maxFrequencyWidth  widest frequency mask in bins
     * @param fill               value written into masked cells (0 = the mean of normalized features)
     */
    public record Settings(int timeMasks, int maxTimeWidth, int frequencyMasks, int maxFrequencyWidth, float fill) {
        public Settings {
            if (timeMasks < 0 || maxTimeWidth < 0 || frequencyMasks < 0 || maxFrequencyWidth < 0) {
                throw new IllegalArgumentException("mask counts and widths must be >= 0: " + timeMasks + ", " + maxTimeWidth
                        + ", " + frequencyMasks + ", " + maxFrequencyWidth);
            }
            if (!Float.isFinite(fill)) throw new IllegalArgumentException("mask fill must be finite: " + fill);
        }
    }

    private SpecAugment() {
    }

    /** Applies {@code s}'s time masks then frequency masks to flat frame-major features, in place. */
    public static void apply(float[] features, int frames, int bins, Settings s, SplittableRandom rng) {
        timeMasks(features, frames, bins, s.timeMasks(), s.maxTimeWidth(), s.fill(), rng);
        frequencyMasks(features, frames, bins, s.frequencyMasks(), s.maxFrequencyWidth(), s.fill(), rng);
    }

    /** Applies {@code s} to {@code float[frames][bins]} features, in place (every row must have the same length). */
    public static void apply(float[][] features, Settings s, SplittableRandom rng) {
        int frames = features.length;
        int bins = frames == 0 ? 0 : features[0].length;
        for (int t = 0; t < frames; t++) {
            if (features[t].length != bins) {
                throw new IllegalArgumentException("ragged features: frame " + t + " has " + features[t].length + " bins, frame 0 has " + bins);
            }
        }
        for (int m = 0; m < s.timeMasks(); m++) {
            int[] span = span(frames, s.maxTimeWidth(), rng);
            for (int t = span[0]; t < span[1]; t++) java.util.Arrays.fill(features[t], s.fill());
        }
        for (int m = 0; m < s.frequencyMasks(); m++) {
            int[] span = span(bins, s.maxFrequencyWidth(), rng);
            for (float[] row : features) java.util.Arrays.fill(row, span[0], span[1], s.fill());
        }
    }

    /** {@code count} time masks of width up to {@code maxWidth} frames on flat frame-major features, in place. */
    public static void timeMasks(float[] features, int frames, int bins, int count, int maxWidth, float fill, SplittableRandom rng) {
        check(features, frames, bins);
        for (int m = 0; m < count; m++) {
            int[] span = span(frames, maxWidth, rng);
            java.util.Arrays.fill(features, span[0] * bins, span[1] * bins, fill);
        }
    }

    /** {@code count} frequency masks of width up to {@code maxWidth} bins on flat frame-major features, in place. */
    public static void frequencyMasks(float[] features, int frames, int bins, int count, int maxWidth, float fill, SplittableRandom rng) {
        check(features, frames, bins);
        for (int m = 0; m < count; m++) {
            int[] span = span(bins, maxWidth, rng);
            for (int t = 0; t < frames; t++) java.util.Arrays.fill(features, t * bins + span[0], t * bins + span[1], fill);
        }
    }

    /** [start, end) of one mask over {@code n} positions. */
    private static int[] span(int n, int maxWidth, SplittableRandom rng) {
        int w = rng.nextInt(Math.min(maxWidth, n) + 1);
        int start = rng.nextInt(n - w + 1);
        return new int[]{start, start + w};
    }

    private static void check(float[] features, int frames, int bins) {
        if (frames < 0 || bins < 0 || (long) frames * bins != features.length) {
            throw new IllegalArgumentException("features hold " + features.length + " values, not frames x bins = "
                    + frames + " x " + bins);
        }
    }
}
