package dev.earshot.audio;

import be.tarsos.dsp.util.fft.HannWindow;

/**
 * Offline MFCC: mono float samples at {@link FeatureSettings#sampleRate()} to feature frames, computed exactly
 * as the anchor recipe's torchaudio front end does (see {@link FeatureSettings}).
 *
 * <p>What comes from TarsosDSP and what does not. TarsosDSP's {@code be.tarsos.dsp.mfcc.MFCC} is not used:
 * it takes the FFT magnitude instead of the power, its {@code calculateFilterBanks} writes
 * {@code centerFrequencies[i-1]} instead of {@code [i]} (every filter shifted, the lower edge lost, the last
 * filter spanning the whole spectrum), floors the log at −50 with no epsilon, and uses an unnormalized DCT;
 * its output correlates −0.15 with a standard MFCC on some coefficients. Kept from TarsosDSP: the Hann curve
 * ({@link HannWindow}, which is the symmetric form: its first {@code N} points of an {@code N+1} curve are the
 * periodic window torch uses). Written here: the framing, the power spectrum, the HTK triangular mel filters
 * (torchaudio's {@code melscale_fbanks}, norm=None), {@code log(mel + floor)} and the orthonormal DCT-II
 * (torchaudio's {@code create_dct(..., 'ortho')}).
 *
 * <p>The FFT is written here too, for speed. TarsosDSP's {@code FloatFFT.realForward} (a JTransforms/Ooura
 * split radix, correct: {@code MfccFftTest} checks this one against it) transforms one frame at a time with
 * scalar code, and at about 2.6 µs of the 3.7 µs per frame it kept the front end slower than torchaudio's.
 * JTransforms 3.1 and a one-frame split-array radix-2 were no faster: C2 does not vectorize butterflies
 * within one frame. {@link Kernel} instead runs the FFT across a batch of frames, where every butterfly is a
 * same-index loop over frames that C2 does vectorize: 0.11 ms per 1 s clip against torchaudio's 0.13–0.14 in the
 * same run (BENCHMARKS.md).
 *
 * <p>An instance is immutable and thread-safe; share one per settings. The window, the FFT tables, the sparse
 * filter ranges and the DCT matrix are precomputed; per-thread scratch makes {@link #compute} allocate only
 * its result.
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
    // FFT tables: twiddles e^(-2 pi i j / (n_fft/2)), the real split's e^(-2 pi i k / n_fft) halved, bit reversal.
    final float[] twiddleRe;
    final float[] twiddleIm;
    final float[] halfCos;
    final float[] halfSin;
    final int[] bitReverse;
    private final ThreadLocal<Kernel> kernels = ThreadLocal.withInitial(() -> new Kernel(BATCH_FRAMES));

    /**
     * Frames transformed together offline. 48 covers a 1 s clip (47 frames at the defaults) in one batch;
     * 32 and 64 measured slower (per-butterfly overhead, and rows spilling out of cache).
     */
    static final int BATCH_FRAMES = 48;

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
        int half = nFft / 2;
        twiddleRe = new float[half];
        twiddleIm = new float[half];
        for (int j = 0; j < half; j++) {
            twiddleRe[j] = (float) Math.cos(2 * Math.PI * j / half);
            twiddleIm[j] = (float) -Math.sin(2 * Math.PI * j / half);
        }
        halfCos = new float[half];
        halfSin = new float[half];
        for (int k = 0; k < half; k++) {
            halfCos[k] = (float) (0.5 * Math.cos(2 * Math.PI * k / nFft));
            halfSin[k] = (float) (0.5 * Math.sin(2 * Math.PI * k / nFft));
        }
        bitReverse = new int[half];
        int bits = Integer.numberOfTrailingZeros(half);
        for (int i = 0; i < half; i++) bitReverse[i] = Integer.reverse(i) >>> (32 - bits);
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
        for (int t0 = 0; t0 < frames; t0 += k.lanes) {
            int n = batch(k, samples, 0, t0, frames);
            for (int f = 0; f < n; f++) cepstrum(k.logMel, f * nMels, out[t0 + f], 0);
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
        int frames = checkedFrames(samples, offset, length, out, outOffset, nCoef);
        Kernel k = kernels.get();
        for (int t0 = 0; t0 < frames; t0 += k.lanes) {
            int n = batch(k, samples, offset, t0, frames);
            for (int f = 0; f < n; f++) cepstrum(k.logMel, f * nMels, out, outOffset + (t0 + f) * nCoef);
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
        int frames = checkedFrames(samples, offset, length, out, outOffset, nMels);
        Kernel k = kernels.get();
        for (int t0 = 0; t0 < frames; t0 += k.lanes) {
            int n = batch(k, samples, offset, t0, frames);
            System.arraycopy(k.logMel, 0, out, outOffset + t0 * nMels, n * nMels);
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

    /** Frames in samples[offset, offset+length), after checking that range and that out holds them at perFrame each. */
    private int checkedFrames(float[] samples, int offset, int length, float[] out, int outOffset, int perFrame) {
        if (offset < 0 || length < 0 || offset > samples.length - length) {
            throw new IndexOutOfBoundsException("samples[" + offset + ", +" + length + ") of " + samples.length);
        }
        int frames = frameCount(length);
        if (outOffset < 0 || (long) outOffset + (long) frames * perFrame > out.length) {
            throw new IllegalArgumentException("output holds " + out.length + " floats from " + outOffset + ", need "
                    + (long) frames * perFrame);
        }
        return frames;
    }

    /** Log-mel of frames [t0, min(t0 + lanes, frames)) of the signal at samples[offset..] into k.logMel. */
    private int batch(Kernel k, float[] samples, int offset, int t0, int frames) {
        int n = Math.min(k.lanes, frames - t0);
        int hop = settings.hopLength();
        int off = offset + settings.windowOffset();
        for (int f = 0; f < n; f++) {
            k.load(samples, (t0 + f) * hop + off, 0, win);
            k.commit();
        }
        return k.logMels(k.logMel, 0);
    }

    Kernel newKernel() {
        return new Kernel(1);
    }

    /**
     * Scratch for up to {@code lanes} frames at once, from windowed samples to log-mel energies, allocating
     * nothing. The FFT runs across frames: frame f is lane f of every row, and each butterfly is a loop over
     * lanes touching the same index of a few row arrays, which C2 turns into SIMD. A one-lane kernel (the
     * streaming path) runs {@link Single} instead. The arithmetic of a frame depends neither on the number of
     * lanes nor on its lane, so streaming and offline frames agree to the bit.
     *
     * <p>The n_fft-point real FFT is an n_fft/2-point complex FFT of the even and odd samples as real and
     * imaginary parts, then the usual split into the real signal's spectrum. The complex FFT is decimation in
     * frequency, radix 2, output in bit-reversed order; stages are fused in pairs over groups of four rows, with a
     * lone last stage when log2(n_fft/2) is odd. Rows past the window are the zero padding.
     */
    final class Kernel {
        final int lanes;
        private final int half; // complex points: nFft / 2
        private final int filled; // rows that hold samples; the rest is zero padding
        private final float[] buf; // one windowed frame (even length)
        private final float[][] re;
        private final float[][] im;
        private final float[][] power; // [bin][lane]; the mel filters read bins binLo..binHi-1
        private final Single single; // lanes == 1
        private final float[] melAcc;
        private final float[] melLog;
        final float[] logMel; // [lane][mel] scratch for the callers' cepstra
        private int count; // frames committed to lanes

        Kernel(int lanes) {
            this.lanes = lanes;
            this.half = nFft / 2;
            this.filled = (win + 1) / 2;
            this.buf = new float[2 * filled];
            // One lane gets flat arrays instead of rows (see Single); the rows stay unallocated.
            int rows = lanes == 1 ? 0 : half;
            this.re = new float[rows][lanes];
            this.im = new float[rows][lanes];
            this.power = new float[rows == 0 ? 0 : half + 1][lanes];
            this.single = lanes == 1 ? new Single() : null;
            this.melAcc = new float[lanes];
            this.melLog = new float[lanes];
            this.logMel = new float[lanes * nMels];
        }

        /** Copies {@code len} samples from {@code src[srcPos..]} times window[winPos..] into the frame buffer. */
        void load(float[] src, int srcPos, int winPos, int len) {
            float[] b = buf;
            float[] w = window;
            // Copy, then scale in place: a same-index loop, which C2 vectorizes (a two-array loop at different
            // offsets it does not, as the arrays might alias).
            System.arraycopy(src, srcPos, b, winPos, len);
            for (int i = winPos, end = winPos + len; i < end; i++) b[i] *= w[i];
        }

        /** Moves the loaded frame into the next free lane. */
        void commit() {
            if (count == lanes) throw new IllegalStateException("all " + lanes + " lanes hold frames");
            float[] b = buf;
            int f = count++;
            if (single != null) {
                single.load(b);
                return;
            }
            for (int m = 0; m < filled; m++) {
                re[m][f] = b[2 * m];
                im[m][f] = b[2 * m + 1];
            }
        }

        /** Commits the loaded frame, transforms it alone and writes nCoef coefficients to {@code out[outOff..]}. */
        void finish(float[] out, int outOff) {
            commit();
            logMels(logMel, 0);
            cepstrum(logMel, 0, out, outOff);
        }

        /**
         * Transforms the committed frames and writes each one's nMels log-mel energies row-major to
         * {@code out[outOff..]}; the lanes are then free again.
         *
         * @return the number of frames written
         */
        int logMels(float[] out, int outOff) {
            int n = count;
            count = 0;
            if (n == 0) return 0;
            if (single != null) {
                single.logMel(out, outOff);
                return 1;
            }
            fft(n);
            powerSpectrum(n, binLo, binHi);
            float[] mw = melWeights;
            float floor = logFloor;
            float[] acc = melAcc, lg = melLog;
            for (int m = 0; m < nMels; m++) {
                java.util.Arrays.fill(acc, 0, n, 0f);
                for (int j = 0, s = melStart[m], o = melWeightOff[m]; j < melLen[m]; j++) {
                    float[] p = power[s + j];
                    float w = mw[o + j];
                    for (int f = 0; f < n; f++) acc[f] += p[f] * w;
                }
                for (int f = 0; f < n; f++) acc[f] += floor;
                log(acc, lg, n);
                for (int f = 0; f < n; f++) out[outOff + f * nMels + m] = lg[f];
            }
            return n;
        }

        /** For tests: the committed frames' power spectra as [bin][lane], all n_fft/2+1 bins; frees the lanes. */
        float[][] powerSpectra() {
            int n = count;
            count = 0;
            float[][] out = new float[half + 1][];
            if (single != null) {
                single.fft();
                single.powerSpectrum(0, half + 1);
                for (int k = 0; k <= half; k++) out[k] = new float[] {single.pw[k]};
                return out;
            }
            fft(n);
            powerSpectrum(n, 0, half + 1);
            for (int k = 0; k <= half; k++) out[k] = java.util.Arrays.copyOf(power[k], n);
            return out;
        }

        /** The real signal's power spectrum, bins [lo, hi), from the complex FFT's bit-reversed rows. */
        private void powerSpectrum(int n, int lo, int hi) {
            int[] rev = bitReverse;
            for (int k = lo; k < hi; k++) {
                float[] p = power[k];
                if (k == 0 || k == half) {
                    // X0 = Re Z0 + Im Z0, X(n/2) = Re Z0 - Im Z0.
                    float[] zr = re[0], zi = im[0];
                    float sign = k == 0 ? 1f : -1f;
                    for (int f = 0; f < n; f++) {
                        float x = zr[f] + sign * zi[f];
                        p[f] = x * x;
                    }
                    continue;
                }
                // Xk = (Zk + conj Z(M-k)) / 2 - i e^(-2 pi i k / n_fft) (Zk - conj Z(M-k)) / 2.
                float[] ar = re[rev[k]], ai = im[rev[k]], br = re[rev[half - k]], bi = im[rev[half - k]];
                // With B = Z(M-k): Re Xk = (Re Zk + Re B)/2 + c (Im Zk + Im B) - s (Re Zk - Re B), where c and s are
                // the halved cos and sin, and Im Xk likewise; two loops because C2 vectorizes each alone but
                // not the two in one (too large a body).
                float c = halfCos[k], sn = halfSin[k];
                for (int f = 0; f < n; f++) {
                    float x = 0.5f * (ar[f] + br[f]) + c * (ai[f] + bi[f]) - sn * (ar[f] - br[f]);
                    p[f] = x * x;
                }
                for (int f = 0; f < n; f++) {
                    float y = 0.5f * (ai[f] - bi[f]) - c * (ar[f] - br[f]) - sn * (ai[f] + bi[f]);
                    p[f] += y * y;
                }
            }
        }

        /**
         * One frame, for the streaming path: the same operations as the lane loops with n = 1, in the same
         * order, so the results are the same bits; but on flat arrays, because a loop over one lane costs far
         * more than the butterfly it runs (2,300 such loops per frame).
         */
        final class Single {
            final float[] xr = new float[half];
            final float[] xi = new float[half];
            final float[] pw = new float[half + 1];

            void load(float[] b) {
                for (int m = 0; m < filled; m++) {
                    xr[m] = b[2 * m];
                    xi[m] = b[2 * m + 1];
                }
            }

            void logMel(float[] out, int outOff) {
                fft();
                powerSpectrum(binLo, binHi);
                float[] mw = melWeights;
                for (int m = 0; m < nMels; m++) {
                    float acc = 0f;
                    for (int j = 0, s = melStart[m], o = melWeightOff[m]; j < melLen[m]; j++) acc += pw[s + j] * mw[o + j];
                    out[outOff + m] = log(acc + logFloor);
                }
            }

            void fft() {
                float[] cr = twiddleRe, ci = twiddleIm;
                int s = half / 2;
                for (; s >= 2; s /= 4) {
                    int h = s / 2;
                    int stepA = half / (2 * s), stepB = half / s;
                    for (int j = 0; j < half; j += 2 * s) {
                        for (int i = 0; i < h; i++) {
                            int i0 = j + i, i1 = i0 + h, i2 = i0 + s, i3 = i2 + h;
                            if (s == half / 2) {
                                first(i0, i2, cr[i * stepA], ci[i * stepA]);
                                first(i1, i3, cr[(i + h) * stepA], ci[(i + h) * stepA]);
                                butterfly(i0, i1, cr[i * stepB], ci[i * stepB]);
                                butterfly(i2, i3, cr[i * stepB], ci[i * stepB]);
                            } else {
                                quad(i0, i1, i2, i3, cr[i * stepA], ci[i * stepA], cr[(i + h) * stepA],
                                        ci[(i + h) * stepA], cr[i * stepB], ci[i * stepB]);
                            }
                        }
                    }
                }
                if (s == 1) {
                    for (int j = 0; j < half; j += 2) butterfly(j, j + 1, 1f, 0f);
                }
            }

            /** The four butterflies of a fused pair of stages, as the lane code does them, kept in registers. */
            private void quad(int i0, int i1, int i2, int i3, float ar, float ai, float br, float bi, float cr,
                    float ci) {
                float p0r = xr[i0], p0i = xi[i0], p1r = xr[i1], p1i = xi[i1];
                float p2r = xr[i2], p2i = xi[i2], p3r = xr[i3], p3i = xi[i3];
                // span s: (0, 2) with twiddle a, (1, 3) with twiddle b
                float q0r = p0r + p2r, q0i = p0i + p2i, dr = p0r - p2r, di = p0i - p2i;
                float q2r = dr * ar - di * ai, q2i = dr * ai + di * ar;
                float q1r = p1r + p3r, q1i = p1i + p3i;
                dr = p1r - p3r;
                di = p1i - p3i;
                float q3r = dr * br - di * bi, q3i = dr * bi + di * br;
                // span s/2: (0, 1) and (2, 3), twiddle c
                xr[i0] = q0r + q1r;
                xi[i0] = q0i + q1i;
                dr = q0r - q1r;
                di = q0i - q1i;
                xr[i1] = dr * cr - di * ci;
                xi[i1] = dr * ci + di * cr;
                xr[i2] = q2r + q3r;
                xi[i2] = q2i + q3i;
                dr = q2r - q3r;
                di = q2i - q3i;
                xr[i3] = dr * cr - di * ci;
                xi[i3] = dr * ci + di * cr;
            }

            private void butterfly(int a, int b, float wr, float wi) {
                float pr = xr[a], pi = xi[a], qr = xr[b], qi = xi[b];
                xr[a] = pr + qr;
                xi[a] = pi + qi;
                float dr = pr - qr, di = pi - qi;
                xr[b] = dr * wr - di * wi;
                xi[b] = dr * wi + di * wr;
            }

            private void first(int a, int b, float wr, float wi) {
                if (b < filled) {
                    butterfly(a, b, wr, wi);
                } else if (a < filled) {
                    xr[b] = xr[a] * wr - xi[a] * wi;
                    xi[b] = xr[a] * wi + xi[a] * wr;
                } else {
                    xr[a] = 0f;
                    xi[a] = 0f;
                    xr[b] = 0f;
                    xi[b] = 0f;
                }
            }

            void powerSpectrum(int lo, int hi) {
                int[] rev = bitReverse;
                for (int k = lo; k < hi; k++) {
                    if (k == 0 || k == half) {
                        float sign = k == 0 ? 1f : -1f;
                        float x = xr[0] + sign * xi[0];
                        pw[k] = x * x;
                        continue;
                    }
                    float ar = xr[rev[k]], ai = xi[rev[k]], br = xr[rev[half - k]], bi = xi[rev[half - k]];
                    float c = halfCos[k], sn = halfSin[k];
                    float x = 0.5f * (ar + br) + c * (ai + bi) - sn * (ar - br);
                    float p = x * x;
                    float y = 0.5f * (ai - bi) - c * (ar - br) - sn * (ai + bi);
                    pw[k] = p + y * y;
                }
            }
        }

        /**
         * A butterfly of the first stage, rows a &lt; b. Rows from {@code filled} on are the zero padding, never
         * written before this stage: they are read as zeros, which also makes the butterfly cheaper.
         */
        private void firstButterfly(int a, int b, float wr, float wi, int n) {
            if (b < filled) {
                butterfly(re[a], im[a], re[b], im[b], wr, wi, n);
            } else if (a < filled) { // (a, 0) -> (a, a w)
                float[] ar = re[a], ai = im[a], br = re[b], bi = im[b];
                for (int f = 0; f < n; f++) br[f] = ar[f] * wr - ai[f] * wi;
                for (int f = 0; f < n; f++) bi[f] = ar[f] * wi + ai[f] * wr;
            } else {
                java.util.Arrays.fill(re[a], 0, n, 0f);
                java.util.Arrays.fill(im[a], 0, n, 0f);
                java.util.Arrays.fill(re[b], 0, n, 0f);
                java.util.Arrays.fill(im[b], 0, n, 0f);
            }
        }

        /** The complex FFT of rows [0, half) in lanes [0, n), in place, output in bit-reversed row order. */
        private void fft(int n) {
            float[][] xr = re, xi = im;
            float[] cr = twiddleRe, ci = twiddleIm;
            // Radix-2 stages of span s are fused in pairs (s, s/2) over each group of four rows, so the second
            // stage finds its rows in L1. Each butterfly stays a separate small loop: C2 vectorizes a loop that
            // loads and stores the same two row pairs, but not a radix-4 body (too large to unroll, too many
            // arrays that might alias).
            int s = half / 2;
            for (; s >= 2; s /= 4) {
                int h = s / 2;
                int stepA = half / (2 * s), stepB = half / s;
                for (int j = 0; j < half; j += 2 * s) {
                    for (int i = 0; i < h; i++) {
                        int i0 = j + i, i1 = i0 + h, i2 = i0 + s, i3 = i2 + h;
                        // stage of span s: (i0, i2) and (i1, i3)
                        if (s == half / 2) { // the first stage: it meets the zero padding
                            firstButterfly(i0, i2, cr[i * stepA], ci[i * stepA], n);
                            firstButterfly(i1, i3, cr[(i + h) * stepA], ci[(i + h) * stepA], n);
                        } else {
                            butterfly(xr[i0], xi[i0], xr[i2], xi[i2], cr[i * stepA], ci[i * stepA], n);
                            butterfly(xr[i1], xi[i1], xr[i3], xi[i3], cr[(i + h) * stepA], ci[(i + h) * stepA], n);
                        }
                        // stage of span s/2: (i0, i1) and (i2, i3)
                        butterfly(xr[i0], xi[i0], xr[i1], xi[i1], cr[i * stepB], ci[i * stepB], n);
                        butterfly(xr[i2], xi[i2], xr[i3], xi[i3], cr[i * stepB], ci[i * stepB], n);
                    }
                }
            }
            if (s == 1) { // log2(half) odd: the last stage, span 1, twiddle 1, is left alone
                for (int j = 0; j < half; j += 2) butterfly(xr[j], xi[j], xr[j + 1], xi[j + 1], 1f, 0f, n);
            }
        }
    }

    /**
     * {@code out[f] = log(x[f])} for f in [0, n), as {@code (float) Math.log} to within 2 ulp. Math.log is a
     * scalar call of about 17 ns, a quarter of the whole front end's time; this is Cephes' {@code logf}
     * (x = 2^e m with m in [√½, √2), log m by its degree-9 polynomial, then + e ln 2 split in two parts),
     * written as a plain loop that C2 vectorizes. Zero, negatives, subnormals, infinities and NaN, which the
     * bit tricks do not cover, go to Math.log.
     */
    static void log(float[] x, float[] out, int n) {
        for (int f = 0; f < n; f++) out[f] = logNormal(x[f]);
        // The bit tricks assume a positive normal x; anything else (never with a positive floor) is redone.
        for (int f = 0; f < n; f++) {
            if (!(x[f] >= Float.MIN_NORMAL && x[f] <= Float.MAX_VALUE)) out[f] = (float) Math.log(x[f]);
        }
    }

    /** {@link #log(float[], float[], int)} of one value. */
    static float log(float x) {
        return x >= Float.MIN_NORMAL && x <= Float.MAX_VALUE ? logNormal(x) : (float) Math.log(x);
    }

    private static float logNormal(float x) {
        int bits = Float.floatToRawIntBits(x);
        int e = (bits - 0x3f3504f3) >> 23; // exponent of x relative to √½
        float m = Float.intBitsToFloat(bits - (e << 23)) - 1f; // in [√½ - 1, √2 - 1)
        float z = m * m;
        float y = ((((((((7.0376836292E-2f * m - 1.1514610310E-1f) * m + 1.1676998740E-1f) * m
                - 1.2420140846E-1f) * m + 1.4249322787E-1f) * m - 1.6668057665E-1f) * m
                + 2.0000714765E-1f) * m - 2.4999993993E-1f) * m + 3.3333331174E-1f) * m * z;
        y += e * -2.12194440E-4f - 0.5f * z;
        return m + y + e * 0.693359375f;
    }

    /** One radix-2 decimation-in-frequency butterfly in lanes [0, n): (a, b) to (a + b, (a - b) w). */
    private static void butterfly(float[] ar, float[] ai, float[] br, float[] bi, float wr, float wi, int n) {
        for (int f = 0; f < n; f++) {
            float xr = ar[f], xi = ai[f], yr = br[f], yi = bi[f];
            ar[f] = xr + yr;
            ai[f] = xi + yi;
            float dr = xr - yr, di = xi - yi;
            br[f] = dr * wr - di * wi;
            bi[f] = dr * wi + di * wr;
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
