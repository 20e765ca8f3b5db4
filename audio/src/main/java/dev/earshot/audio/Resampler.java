package dev.earshot.audio;

/**
 * Band-limited sample-rate conversion through TarsosDSP's {@link be.tarsos.dsp.resample.Resampler} (a port
 * of libresample: Kaiser-windowed sinc, 35 zero crossings in high-quality mode, pass band to 0.45 of the
 * lower rate). Checked against scipy's {@code resample_poly} by the golden test.
 */
public final class Resampler {
    /** Lowest rate accepted: below it a rate is a corrupt header, not audio. */
    public static final int MIN_RATE = 1000;
    /** Highest rate accepted: above it a rate is a corrupt header, not audio. */
    public static final int MAX_RATE = 1_000_000;

    private Resampler() {
    }

    /**
     * Resamples mono {@code in} from {@code fromRate} to {@code toRate}. The output has
     * {@code ceil(in.length * toRate / fromRate)} samples (as scipy and torchaudio give) and sample 0 of the
     * output is at the time of sample 0 of the input.
     *
     * @throws IllegalArgumentException if a rate is outside [{@link #MIN_RATE}, {@link #MAX_RATE}]
     */
    public static float[] resample(float[] in, int fromRate, int toRate) {
        checkRate(fromRate);
        checkRate(toRate);
        if (fromRate == toRate) return in.clone();
        long outLenL = ((long) in.length * toRate + fromRate - 1) / fromRate;
        if (outLenL > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("resampled length " + outLenL + " too large");
        int outLen = (int) outLenL;
        float[] out = new float[outLen];
        if (in.length == 0) return out;
        double factor = toRate / (double) fromRate;
        be.tarsos.dsp.resample.Resampler r = new be.tarsos.dsp.resample.Resampler(prototype(factor));
        int inPos = 0, outPos = 0;
        // libresample stops when its internal buffer fills; each call either consumes input or produces
        // output, so the loop ends. Output past ceil(n * factor) (the filter's tail) is not wanted.
        while (outPos < outLen) {
            be.tarsos.dsp.resample.Resampler.Result res =
                    r.process(factor, in, inPos, in.length - inPos, true, out, outPos, outLen - outPos);
            inPos += res.inputSamplesConsumed;
            outPos += res.outputSamplesGenerated;
            if (res.inputSamplesConsumed == 0 && res.outputSamplesGenerated == 0) break;
        }
        return out;
    }

    // Designing the 35-zero-crossing filter takes ~6 ms; a fresh session copied from a cached, unused one
    // takes ~0.1 ms. Few distinct rate pairs occur, so the cache is small; it is cleared if it ever grows.
    private static final java.util.concurrent.ConcurrentHashMap<Double, be.tarsos.dsp.resample.Resampler> PROTOTYPES =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static be.tarsos.dsp.resample.Resampler prototype(double factor) {
        if (PROTOTYPES.size() > 32) PROTOTYPES.clear();
        // The prototype is never processed with, only copied (its copy constructor reads it), so sharing is safe.
        return PROTOTYPES.computeIfAbsent(factor, f -> new be.tarsos.dsp.resample.Resampler(true, f, f));
    }

    static void checkRate(int rate) {
        if (rate < MIN_RATE || rate > MAX_RATE) {
            throw new IllegalArgumentException("sample rate " + rate + " Hz is outside [" + MIN_RATE + ", " + MAX_RATE + "]");
        }
    }
}
