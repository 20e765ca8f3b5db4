package dev.earshot.datasets;

/**
 * Pitch perturbation with the tempo kept: the clip is resampled {@code factor} times faster ({@link SpeedPerturbation},
 * pitch and tempo together), then stretched back to its length by WSOLA (waveform-similarity overlap-add, Verhelst
 * and Roelands 1993): 20 ms Hann frames at a 10 ms output hop, each taken within ±5 ms of its nominal input place
 * where it best continues the previous frame, so that voiced speech keeps its periods.
 */
public final class PitchShift {
    /** Frame, output hop and search range, in ms. */
    static final double FRAME_MS = 20, SEARCH_MS = 5;

    private PitchShift() {}

    /** {@code pcm} at {@code sampleRate} with its pitch times {@code factor} and its length kept. */
    public static float[] apply(float[] pcm, int sampleRate, double factor) {
        if (factor == 1) return pcm.clone();
        float[] fast = SpeedPerturbation.apply(pcm, sampleRate, factor);
        return stretch(fast, pcm.length, sampleRate);
    }

    /** {@code x} stretched (or squeezed) in time to {@code length} samples, its pitch kept (WSOLA). */
    static float[] stretch(float[] x, int length, int sampleRate) {
        int win = Math.max(4, (int) Math.round(FRAME_MS * sampleRate / 1000)) & ~1, hop = win / 2;
        int delta = (int) Math.round(SEARCH_MS * sampleRate / 1000);
        double hopIn = hop * (double) x.length / length;
        float[] w = new float[win];
        for (int i = 0; i < win; i++) w[i] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * i / win));  // periodic: sums to 1 at hop win/2
        float[] out = new float[length + win];
        int prev = -1;  // input start of the previous frame
        for (int k = 0; k * hop < length; k++) {
            int nominal = (int) Math.round(k * hopIn);
            int best = nominal;
            if (prev >= 0) {
                // The input that would follow the previous frame naturally; the frame near nominal most like it.
                int natural = prev + hop;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int d = -delta; d <= delta; d++) {
                    int s = nominal + d;
                    if (s < 0 || s + win > x.length) continue;
                    double c = 0;
                    for (int i = 0; i < win; i++) c += sample(x, natural + i) * x[s + i];
                    if (c > bestScore) {
                        bestScore = c;
                        best = s;
                    }
                }
            }
            for (int i = 0; i < win; i++) out[k * hop + i] += w[i] * sample(x, best + i);
            prev = best;
        }
        return java.util.Arrays.copyOf(out, length);
    }

    private static float sample(float[] x, int i) {
        return i >= 0 && i < x.length ? x[i] : 0f;
    }
}
