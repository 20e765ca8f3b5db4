package dev.earshot.datasets;

import dev.earshot.audio.WavReader;
import java.io.IOException;
import java.util.SplittableRandom;

/**
 * The waveform augmentation of TensorFlow's speech_commands example ({@code input_data.py}, {@code get_data}),
 * on float PCM at 16 kHz, one clip = {@value #CLIP_SAMPLES} samples:
 * <ol>
 *   <li>the clip is zero-padded or truncated to one second;</li>
 *   <li>time shift by an amount uniform in {@code [-shift, shift)} samples, the gap filled with zeros;</li>
 *   <li>with probability {@code backgroundFrequency} (0.8) a noise segment is added at a volume uniform in
 *       {@code [0, backgroundVolume)} (0.1);</li>
 *   <li>the sum is clamped to [-1, 1].</li>
 * </ol>
 * Silence examples are a noise segment alone at a volume uniform in {@code [0, silenceVolume)} (1.0). Every draw
 * comes from the {@link SplittableRandom} passed in: same seed, same output. Thread-safe (no mutable state).
 */
public final class Augmenter {
    public static final int SAMPLE_RATE = 16000;
    public static final int CLIP_SAMPLES = 16000;

    /**
     * Augmentation settings.
     *
     * @param backgroundFrequency probability a training clip gets noise (TensorFlow: 0.8)
     * @param backgroundVolume    upper bound of the noise volume on a clip (TensorFlow: 0.1)
     * @param timeShiftSamples    largest time shift in samples (TensorFlow: 100 ms = 1600)
     * @param silenceVolume       upper bound of the noise volume of a silence example (TensorFlow: 1.0)
     */
    public record Settings(double backgroundFrequency, double backgroundVolume, int timeShiftSamples, double silenceVolume) {
        public Settings {
            if (!(backgroundFrequency >= 0 && backgroundFrequency <= 1)) throw new IllegalArgumentException("backgroundFrequency must be in [0, 1]: " + backgroundFrequency);
            if (!(backgroundVolume >= 0 && backgroundVolume <= 10)) throw new IllegalArgumentException("backgroundVolume must be in [0, 10]: " + backgroundVolume);
            if (timeShiftSamples < 0 || timeShiftSamples >= CLIP_SAMPLES) throw new IllegalArgumentException("timeShiftSamples must be in [0, " + CLIP_SAMPLES + "): " + timeShiftSamples);
            if (!(silenceVolume >= 0 && silenceVolume <= 10)) throw new IllegalArgumentException("silenceVolume must be in [0, 10]: " + silenceVolume);
        }

        /** TensorFlow's defaults: 0.8, 0.1, 1600 samples (100 ms), 1.0. */
        public static Settings tensorflow() {
            return new Settings(0.8, 0.1, 1600, 1.0);
        }

        /** No augmentation (silence examples still made from noise). */
        public static Settings none() {
            return new Settings(0, 0, 0, 1.0);
        }
    }

    private final BackgroundNoise noise;
    private final Settings settings;

    /** @param noise the noise to mix in and make silence from; null when there is none (then no mixing) */
    public Augmenter(BackgroundNoise noise, Settings settings) {
        if (noise != null && noise.segmentSamples() != CLIP_SAMPLES) {
            throw new IllegalArgumentException("noise segments are " + noise.segmentSamples() + " samples, clips " + CLIP_SAMPLES);
        }
        this.noise = noise;
        this.settings = settings;
    }

    public Settings settings() { return settings; }

    /** A training example from a clip's samples: fitted to one second, shifted, noise added, clamped. New array. */
    public float[] augment(float[] pcm, SplittableRandom rng) {
        float[] x = fit(pcm, CLIP_SAMPLES);
        int t = settings.timeShiftSamples();
        if (t > 0) x = timeShift(x, rng.nextInt(-t, t));
        if (noise != null && settings.backgroundFrequency() > 0) {
            float[] bg = noise.segment(rng);
            double volume = rng.nextDouble() < settings.backgroundFrequency() ? rng.nextDouble() * settings.backgroundVolume() : 0;
            if (volume > 0) mix(x, bg, volume);
        }
        return x;
    }

    /** A silence example: a noise segment at a volume uniform in [0, silenceVolume), clamped. */
    public float[] silence(SplittableRandom rng) {
        if (noise == null) {
            throw new IllegalStateException("cannot make a silence example: no background noise was loaded");
        }
        float[] x = new float[CLIP_SAMPLES];
        float[] bg = noise.segment(rng);
        mix(x, bg, rng.nextDouble() * settings.silenceVolume());
        return x;
    }

    /**
     * The waveform of an index entry: silence from noise for a generated silence entry, else the clip read at
     * 16 kHz; {@code training} applies {@link #augment}, otherwise the clip is only fitted to one second
     * (TensorFlow adds no noise and no shift outside training).
     *
     * @throws IOException naming the file when it cannot be read
     */
    public float[] render(DataIndex.Entry entry, boolean training, SplittableRandom rng) throws IOException {
        if (entry.generatedSilence()) return silence(rng);
        float[] pcm = WavReader.read(entry.clip().file(), SAMPLE_RATE).samples();
        return training ? augment(pcm, rng) : fit(pcm, CLIP_SAMPLES);
    }

    private static void mix(float[] x, float[] bg, double volume) {
        for (int i = 0; i < x.length; i++) {
            float v = (float) (x[i] + bg[i] * volume);
            x[i] = v > 1f ? 1f : v < -1f ? -1f : v;
        }
    }

    /** {@code pcm} zero-padded at the end or truncated to {@code n} samples (a new array). */
    public static float[] fit(float[] pcm, int n) {
        float[] out = new float[n];
        System.arraycopy(pcm, 0, out, 0, Math.min(n, pcm.length));
        return out;
    }

    /**
     * {@code pcm} moved later by {@code shift} samples (earlier when negative), same length, the gap zero-filled:
     * {@code out[i] = pcm[i - shift]} where that index exists. A new array.
     */
    public static float[] timeShift(float[] pcm, int shift) {
        float[] out = new float[pcm.length];
        if (Math.abs((long) shift) >= pcm.length) return out;
        if (shift >= 0) System.arraycopy(pcm, 0, out, shift, pcm.length - shift);
        else System.arraycopy(pcm, -shift, out, 0, pcm.length + shift);
        return out;
    }
}
