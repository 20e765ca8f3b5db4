package dev.earshot.audio;

import be.tarsos.dsp.util.fft.FloatFFT;
import be.tarsos.dsp.util.fft.HannWindow;

/**
 * Offline MFCC: mono float samples at {@link FeatureSettings#sampleRate()} to feature frames, computed exactly
 * as the anchor recipe's torchaudio front end does (see {@link FeatureSettings}).
 *
 * <p>What comes from TarsosDSP and what does not. TarsosDSP's {@code be.tarsos.dsp.mfcc.MFCC} is not used:
 * it takes the FFT magnitude instead of the power, its {@code calculateFilterBanks} writes
 * {@code centerFrequencies[i-1]} instead of {@code [i]} (every filter shifted, the lower edge lost, the last
 * filter spanning the whole spectrum), floors the log at −50 with no epsilon, and uses an unnormalized DCT;
 * its output correlates −0.15 with a standard MFCC on some coefficients. Kept from TarsosDSP: the FFT
 * ({@link FloatFFT#realForward}, a JTransforms/Ooura split-radix, checked against torchaudio by the golden
 * test) and the Hann curve ({@link HannWindow}, which is the symmetric form: its first {@code N} points of an
 * {@code N+1} curve are the periodic window torch uses). Written here: the framing, the power spectrum, the
 * HTK triangular mel filters (torchaudio's {@code melscale_fbanks}, norm=None), {@code log(mel + floor)} and
 * the orthonormal DCT-II (torchaudio's {@code create_dct(..., 'ortho')}).
 *
 * <p>An instance is immutable and thread-safe; share one per settings. The window, the sparse filter ranges
 * and the DCT matrix are precomputed; per-thread scratch makes {@link #compute} allocate only its result.
 *
 * <p>Speed: the FFT is about three quarters of the time (47 real FFTs of 1024 points for a 1 s clip at the
 * defaults). A hand-written radix-2 FFT with split real/imaginary arrays was tried and was slower than
 * TarsosDSP's: JDK 17's C2 does not vectorize the butterfly loops (the arrays might alias), so a faster
 * FFT would need SIMD (the incubating Vector API or native code).
 *
 * <p>Input is mono float at the settings' rate, nominally in [-1, 1]; NaN in gives NaN out, and magnitudes
 * beyond about 1e15 overflow the float power spectrum ({@link WavReader} refuses such data).
 */
public final class Mfcc {
    private final FeatureSettings settings;
    final int win;
    final int nFft;
    final int nMels;
    final int nCoef;
    final float[] window;
    // Mel filter m covers power bins [melStart[m], melStart[m] + melLen[m]) with weights at melWeightOff[m].
    final int[] melStart;
    final int[] melLen;
    final int[] melWeightOff;
    final float[] melWeights;
    final int binLo;
    final int binHi; // exclusive
    final float[] dctByCoef; // [coef][mel], row-major
    final float[] normMean; // null = identity
    final float[] normInvStd;
    final float logFloor;
    private final ThreadLocal<Kernel> kernels = ThreadLocal.withInitial(this::newKernel);

    /** Precomputes the window, the mel filter bank and the DCT for {@code settings}. */
    public Mfcc(FeatureSettings settings) {
        this.settings = settings;
        this.win = settings.windowLength();
        this.nFft = settings.fftSize();
        this.nMels = settings.melBands();
        this.nCoef = settings.coefficients();
        this.logFloor = (float) settings.logFloor();

        // torch.hann_window(N, periodic=True)[n] = 0.5 - 0.5 cos(2 pi n / N): TarsosDSP's symmetric curve of N+1.
        float[] curve = new HannWindow().generateCurve(win + 1);
        this.window = java.util.Arrays.copyOf(curve, win);

        int nFreqs = nFft / 2 + 1;
        melStart = new int[nMels];
        melLen = new int[nMels];
        melWeightOff = new int[nMels];
        float[][] rows = new float[nMels][];
        int total = 0;
        int lo = Integer.MAX_VALUE, hi = 0;
        double[] col = new double[nFreqs];
        for (int m = 0; m < nMels; m++) {
            melFilter(col, m, settings.minHz(), settings.maxHz(), nMels, settings.sampleRate());
            int a = -1, b = -1;
            for (int k = 0; k < nFreqs; k++) {
                if (col[k] > 0) {
                    if (a < 0) a = k;
                    b = k + 1;
                }
            }
            if (a < 0) { // a band narrower than a bin: torchaudio gives it all zeros too (log(floor))
                a = 0;
                b = 0;
            } else {
                lo = Math.min(lo, a);
                hi = Math.max(hi, b);
            }
            melStart[m] = a;
            melLen[m] = b - a;
            melWeightOff[m] = total;
            total += b - a;
            rows[m] = new float[b - a];
            for (int k = a; k < b; k++) rows[m][k - a] = (float) col[k];
        }
        melWeights = new float[total];
        for (int m = 0; m < nMels; m++) System.arraycopy(rows[m], 0, melWeights, melWeightOff[m], melLen[m]);
        binLo = lo == Integer.MAX_VALUE ? 0 : lo;
        binHi = Math.max(hi, binLo);

        dctByCoef = new float[nCoef * nMels];
        double[][] d = dctOrtho(nCoef, nMels);
        for (int k = 0; k < nCoef; k++) {
            for (int m = 0; m < nMels; m++) dctByCoef[k * nMels + m] = (float) d[m][k];
        }
        if (settings.normalized()) {
            normMean = settings.normMean();
            float[] std = settings.normStd();
            normInvStd = new float[nCoef];
            for (int i = 0; i < nCoef; i++) normInvStd[i] = 1f / std[i];
        } else {
            normMean = null;
            normInvStd = null;
        }
    }

    /** The settings these features follow. */
    public FeatureSettings settings() {
        return settings;
    }

    /** Coefficients per frame. */
    public int coefficients() {
        return nCoef;
    }

    /** Frames produced for {@code samples} samples. */
    public int frameCount(int samples) {
        return settings.frameCount(samples);
    }

    /** Frames of {@code samples} (mono, at the settings' rate, nominally in [-1, 1]) as [frame][coefficient]. */
    public float[][] compute(float[] samples) {
        int frames = frameCount(samples.length);
        float[][] out = new float[frames][nCoef];
        Kernel k = kernels.get();
        int hop = settings.hopLength();
        int off = settings.windowOffset();
        for (int t = 0; t < frames; t++) {
            k.load(samples, t * hop + off, 0, win);
            k.finish(out[t], 0);
        }
        return out;
    }

    /**
     * Frames of {@code samples[offset, offset+length)} written row-major into {@code out} from {@code outOffset}
     * (frame t, coefficient c at {@code outOffset + t * coefficients() + c}). Allocates nothing.
     *
     * @return the number of frames written
     * @throws IllegalArgumentException if {@code out} is too small
     */
    public int compute(float[] samples, int offset, int length, float[] out, int outOffset) {
        if (offset < 0 || length < 0 || offset > samples.length - length) {
            throw new IndexOutOfBoundsException("samples[" + offset + ", +" + length + ") of " + samples.length);
        }
        int frames = frameCount(length);
        if (outOffset < 0 || (long) outOffset + (long) frames * nCoef > out.length) {
            throw new IllegalArgumentException("output holds " + out.length + " floats from " + outOffset + ", need "
                    + (long) frames * nCoef);
        }
        Kernel k = kernels.get();
        int hop = settings.hopLength();
        int off = offset + settings.windowOffset();
        for (int t = 0; t < frames; t++) {
            k.load(samples, t * hop + off, 0, win);
            k.finish(out, outOffset + t * nCoef);
        }
        return frames;
    }

    /**
     * The log-mel stage alone (for augmentation on the log-mel, e.g. SpecAugment, before {@link #cepstra}):
     * frames of {@code samples[offset, offset+length)} as {@code log(mel + floor)}, written row-major into
     * {@code out} from {@code outOffset} (frame t, band m at {@code outOffset + t * melBands + m}). Allocates
     * nothing. {@code cepstra(logMel(x))} equals {@link #compute} bit for bit.
     *
     * @return the number of frames written
     * @throws IllegalArgumentException if {@code out} is too small
     */
    public int logMel(float[] samples, int offset, int length, float[] out, int outOffset) {
        if (offset < 0 || length < 0 || offset > samples.length - length) {
            throw new IndexOutOfBoundsException("samples[" + offset + ", +" + length + ") of " + samples.length);
        }
        int frames = frameCount(length);
        if (outOffset < 0 || (long) outOffset + (long) frames * nMels > out.length) {
            throw new IllegalArgumentException("output holds " + out.length + " floats from " + outOffset + ", need "
                    + (long) frames * nMels);
        }
        Kernel k = kernels.get();
        int hop = settings.hopLength();
        int off = offset + settings.windowOffset();
        for (int t = 0; t < frames; t++) {
            k.load(samples, t * hop + off, 0, win);
            k.logMelFrame(out, outOffset + t * nMels);
        }
        return frames;
    }

    /**
     * The cepstral stage alone: {@code frames} rows of {@code melBands} log-mel values at
     * {@code logMel[offset..]} to rows of {@code coefficients} (orthonormal DCT-II, then the settings'
     * normalization) at {@code out[outOffset..]}. Allocates nothing.
     *
     * @throws IllegalArgumentException if an array is too small
     */
    public void cepstra(float[] logMel, int offset, int frames, float[] out, int outOffset) {
        if (frames < 0 || offset < 0 || (long) offset + (long) frames * nMels > logMel.length) {
            throw new IllegalArgumentException("log-mel holds " + logMel.length + " floats from " + offset + ", need "
                    + (long) frames * nMels);
        }
        if (outOffset < 0 || (long) outOffset + (long) frames * nCoef > out.length) {
            throw new IllegalArgumentException("output holds " + out.length + " floats from " + outOffset + ", need "
                    + (long) frames * nCoef);
        }
        for (int t = 0; t < frames; t++) cepstrum(logMel, offset + t * nMels, out, outOffset + t * nCoef);
    }

    /** Mel bands per frame. */
    public int melBands() {
        return nMels;
    }

    Kernel newKernel() {
        return new Kernel();
    }

    /**
     * Per-thread (or per-stream) scratch: one frame from windowed samples to coefficients, no allocation.
     * Offline and streaming paths share it, so they agree to the bit.
     */
    final class Kernel {
        private final FloatFFT fft = new FloatFFT(nFft);
        private final float[] buf = new float[nFft];
        private final float[] power = new float[nFft / 2 + 1];
        private final float[] mel = new float[nMels];

        /** Copies {@code len} samples from {@code src[srcPos..]} times window[winPos..] into the frame buffer. */
        void load(float[] src, int srcPos, int winPos, int len) {
            float[] b = buf;
            float[] w = window;
            // Copy, then scale in place: a same-index loop, which C2 vectorizes (a two-array loop at different
            // offsets it does not, as the arrays might alias). About 4% of the frame time.
            System.arraycopy(src, srcPos, b, winPos, len);
            for (int i = winPos, end = winPos + len; i < end; i++) b[i] *= w[i];
        }

        /** Transforms the loaded window and writes nCoef coefficients to {@code out[outOff..]}. */
        void finish(float[] out, int outOff) {
            logMelFrame(mel, 0);
            cepstrum(mel, 0, out, outOff);
        }

        /** Transforms the loaded window and writes nMels log-mel energies to {@code out[outOff..]}. */
        void logMelFrame(float[] out, int outOff) {
            float[] b = buf;
            // Zero padding to n_fft; a circular shift of the frame does not change the power spectrum, so the
            // window sits at 0 here rather than centred as in torch.stft.
            java.util.Arrays.fill(b, win, nFft, 0f);
            fft.realForward(b);
            // Ooura packing: b[0] = Re X0, b[1] = Re X(n/2), b[2k], b[2k+1] = Re, Im Xk.
            float[] p = power;
            int half = nFft / 2;
            p[0] = b[0] * b[0];
            p[half] = b[1] * b[1];
            int lo = Math.max(binLo, 1), hi = Math.min(binHi, half);
            for (int k = lo; k < hi; k++) {
                float re = b[2 * k], im = b[2 * k + 1];
                p[k] = re * re + im * im;
            }
            float[] mw = melWeights;
            float floor = logFloor;
            for (int m = 0; m < nMels; m++) {
                int s = melStart[m], n = melLen[m], o = melWeightOff[m];
                // Four partial sums: breaks the add-latency chain (Java will not reassociate float sums).
                float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
                int j = 0;
                for (; j + 3 < n; j += 4) {
                    a0 += p[s + j] * mw[o + j];
                    a1 += p[s + j + 1] * mw[o + j + 1];
                    a2 += p[s + j + 2] * mw[o + j + 2];
                    a3 += p[s + j + 3] * mw[o + j + 3];
                }
                for (; j < n; j++) a0 += p[s + j] * mw[o + j];
                out[outOff + m] = (float) Math.log((a0 + a1) + (a2 + a3) + floor);
            }
        }
    }

    /** One frame: DCT of nMels log-mel values at lm[lmOff..], then normalization, into out[outOff..]. */
    void cepstrum(float[] lm, int lmOff, float[] out, int outOff) {
        float[] d = dctByCoef;
        int nm = nMels;
        for (int c = 0; c < nCoef; c++) {
            int row = c * nm;
            // Four partial sums, as above.
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            int m = 0;
            for (; m + 3 < nm; m += 4) {
                s0 += lm[lmOff + m] * d[row + m];
                s1 += lm[lmOff + m + 1] * d[row + m + 1];
                s2 += lm[lmOff + m + 2] * d[row + m + 2];
                s3 += lm[lmOff + m + 3] * d[row + m + 3];
            }
            for (; m < nm; m++) s0 += lm[lmOff + m] * d[row + m];
            float v = (s0 + s1) + (s2 + s3);
            out[outOff + c] = normMean == null ? v : (v - normMean[c]) * normInvStd[c];
        }
    }

    /**
     * Column {@code m} of torchaudio.functional.melscale_fbanks(col.length, fMin, fMax, nMels, sr, norm=None,
     * mel_scale="htk") into {@code col}: the weight of each power bin in mel band m.
     */
    static void melFilter(double[] col, int m, double fMin, double fMax, int nMels, int sampleRate) {
        int nFreqs = col.length;
        double nyq = sampleRate / 2; // integer division, as torchaudio's linspace(0, sample_rate // 2, n_freqs)
        double mMin = hzToMel(fMin), mMax = hzToMel(fMax);
        double f0 = melToHz(mMin + (mMax - mMin) * m / (nMels + 1));
        double f1 = melToHz(mMin + (mMax - mMin) * (m + 1) / (nMels + 1));
        double f2 = melToHz(mMin + (mMax - mMin) * (m + 2) / (nMels + 1));
        for (int k = 0; k < nFreqs; k++) {
            double f = nFreqs == 1 ? 0 : nyq * k / (nFreqs - 1);
            double down = (f - f0) / (f1 - f0);
            double up = (f2 - f) / (f2 - f1);
            col[k] = Math.max(0.0, Math.min(down, up));
        }
    }

    static double hzToMel(double hz) {
        return 2595.0 * Math.log10(1.0 + hz / 700.0);
    }

    static double melToHz(double mel) {
        return 700.0 * (Math.pow(10.0, mel / 2595.0) - 1.0);
    }

    /** torchaudio.functional.create_dct(nMfcc, nMels, "ortho"): [mel][coef]. */
    static double[][] dctOrtho(int nMfcc, int nMels) {
        double[][] d = new double[nMels][nMfcc];
        for (int m = 0; m < nMels; m++) {
            for (int k = 0; k < nMfcc; k++) {
                double v = Math.cos(Math.PI / nMels * (m + 0.5) * k) * Math.sqrt(2.0 / nMels);
                d[m][k] = k == 0 ? v / Math.sqrt(2.0) : v;
            }
        }
        return d;
    }
}
