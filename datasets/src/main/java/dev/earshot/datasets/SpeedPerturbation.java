package dev.earshot.datasets;

import dev.earshot.audio.Resampler;
import java.util.SplittableRandom;

/**
 * Speed perturbation (Ko et al. 2015): the clip is resampled so it plays {@code factor} times faster, pitch and
 * tempo together; factor 1.1 gives a clip about 10% shorter. Uses audio's band-limited {@link Resampler},
 * treating the clip as if recorded at {@code round(rate * factor)} Hz.
 */
public final class SpeedPerturbation {
    /** Factors outside this range are refused: they are no longer speech of the same word. */
    public static final double MIN_FACTOR = 0.5, MAX_FACTOR = 2.0;

    private SpeedPerturbation() {
    }

    /**
     * {@code pcm} at {@code sampleRate} sped up by {@code factor}; the result has about
     * {@code pcm.length / factor} samples (fit it with {@link Augmenter#fit}). Factor 1 returns a copy.
     */
    public static float[] apply(float[] pcm, int sampleRate, double factor) {
        if (!(factor >= MIN_FACTOR && factor <= MAX_FACTOR)) {
            throw new IllegalArgumentException("speed factor must be in [" + MIN_FACTOR + ", " + MAX_FACTOR + "]: " + factor);
        }
        int from = (int) Math.round(sampleRate * factor);
        if (from == sampleRate) return pcm.clone();
        return Resampler.resample(pcm, from, sampleRate);
    }

    /** {@link #apply} with a factor uniform in {@code [min, max]}. */
    public static float[] random(float[] pcm, int sampleRate, double min, double max, SplittableRandom rng) {
        if (!(min <= max)) throw new IllegalArgumentException("speed range is empty: " + min + ".." + max);
        double f = min == max ? min : min + rng.nextDouble() * (max - min);
        return apply(pcm, sampleRate, f);
    }
}
