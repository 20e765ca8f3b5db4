package dev.earshot.datasets;

import be.tarsos.dsp.util.fft.FloatFFT;
import java.util.SplittableRandom;

/**
 * Reverberation from room impulse responses made in code with a statistical room model (Polack 1993): a direct
 * sound, then Gaussian noise whose energy falls 60 dB in the room's RT60, its onset after a pre-delay of 1-10 ms
 * (the first reflection), low-passed a little more as it decays (air and walls absorb highs first). The clips of
 * a training run are convolved (by FFT) with one of a pool of such rooms, RT60 uniform in [{@link #MIN_RT60},
 * {@link #MAX_RT60}] s, and scaled back to their own peak.
 */
public final class RoomReverb {
    public static final double MIN_RT60 = 0.2, MAX_RT60 = 0.8;

    private final float[][] spectra;  // each room's transfer function, complex interleaved, n points
    private final int n, clipSamples;
    private final ThreadLocal<FloatFFT> fft;

    /** {@code rooms} rooms (seeded) for clips of {@code clipSamples} samples at {@code sampleRate}. */
    public RoomReverb(int rooms, int sampleRate, int clipSamples, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int longest = (int) Math.ceil(MAX_RT60 * sampleRate);
        int size = 1;
        while (size < clipSamples + longest) size <<= 1;
        this.n = size;
        this.clipSamples = clipSamples;
        this.spectra = new float[rooms][];
        int points = size;
        this.fft = ThreadLocal.withInitial(() -> new FloatFFT(points));
        FloatFFT fft = this.fft.get();
        for (int k = 0; k < rooms; k++) {
            double rt60 = MIN_RT60 + r.nextDouble() * (MAX_RT60 - MIN_RT60);
            float[] h = impulseResponse(rt60, sampleRate, r);
            float[] c = new float[2 * n];
            for (int i = 0; i < h.length; i++) c[2 * i] = h[i];
            fft.complexForward(c);
            spectra[k] = c;
        }
    }

    /** A room's impulse response, RT60 {@code rt60} s, direct sound 1, {@code rt60} s long. */
    static float[] impulseResponse(double rt60, int sampleRate, SplittableRandom r) {
        int len = (int) Math.ceil(rt60 * sampleRate);
        float[] h = new float[len];
        h[0] = 1f;
        int onset = (int) Math.round((0.001 + 0.009 * r.nextDouble()) * sampleRate);
        double decay = Math.log(1000) / (rt60 * sampleRate);  // amplitude e^{-decay t}: -60 dB at rt60
        // Reverberant energy about that of the direct sound (a talker a metre or two away).
        double gain = Math.sqrt(2 * decay);
        double lp = 0;
        for (int i = onset; i < len; i++) {
            double a = 0.2 + 0.7 * (i - onset) / (double) len;  // one-pole low-pass, darker as it decays
            lp = a * lp + (1 - a) * r.nextGaussian() * Math.sqrt(1 + a) / Math.sqrt(1 - a);
            h[i] += (float) (gain * Math.exp(-decay * (i - onset)) * lp);
        }
        return h;
    }

    /** How many rooms there are. */
    public int rooms() {
        return spectra.length;
    }

    /**
     * {@code pcm} (one clip) played in room {@code room}: the first clip-length of the convolution, at pcm's peak.
     * Safe to call from several threads.
     */
    public float[] apply(float[] pcm, int room) {
        if (pcm.length > clipSamples) throw new IllegalArgumentException("clip of " + pcm.length + " samples, rooms made for " + clipSamples);
        float[] c = new float[2 * n];
        for (int i = 0; i < pcm.length; i++) c[2 * i] = pcm[i];
        FloatFFT fft = this.fft.get();
        fft.complexForward(c);
        float[] s = spectra[room];
        for (int i = 0; i < n; i++) {
            float re = c[2 * i] * s[2 * i] - c[2 * i + 1] * s[2 * i + 1];
            float im = c[2 * i] * s[2 * i + 1] + c[2 * i + 1] * s[2 * i];
            c[2 * i] = re;
            c[2 * i + 1] = im;
        }
        fft.complexInverse(c, true);
        float[] out = new float[pcm.length];
        float peakIn = 0, peakOut = 0;
        for (int i = 0; i < pcm.length; i++) {
            out[i] = c[2 * i];
            peakIn = Math.max(peakIn, Math.abs(pcm[i]));
            peakOut = Math.max(peakOut, Math.abs(out[i]));
        }
        if (peakOut > 0 && peakIn > 0) for (int i = 0; i < out.length; i++) out[i] *= peakIn / peakOut;
        return out;
    }
}
