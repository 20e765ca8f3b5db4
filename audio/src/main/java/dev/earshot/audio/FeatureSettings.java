package dev.earshot.audio;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Every setting of the MFCC front end, as one immutable value that a model file stores so that a model
 * always gets the features it was trained on.
 *
 * <p>The {@linkplain #defaults() defaults} are the accuracy anchor's recipe
 * ({@code shared/anchors/pytorch_kws_train_ref.py}, class {@code Frontend}), which was the best of the
 * recipes measured on Speech Commands there: 16 kHz; 40 ms periodic-Hann window (640 samples) every
 * 20 ms (320); n_fft 1024 (next power of two); power spectrum; 40 HTK mel bands over 20–7600 Hz
 * (unnormalized triangles, torchaudio's defaults); {@code log(mel + 1e-6)}; orthonormal DCT-II to 10
 * coefficients; per-coefficient normalization left to the trainer (identity by default). That beat
 * 40 coefficients at 30/10 ms (0.79 vs 0.82 validation accuracy) and halves the frames the GRU reads.
 * No deltas: the GRU sees the sequence and the recipe gains nothing from them.
 *
 * <p>{@link FrameLayout} says where frames sit. {@link FrameLayout#TORCH_STFT} (default) is exactly
 * what torchaudio's {@code MelSpectrogram(center=False)} does: each frame spans n_fft samples with the
 * window centred in it, so a 1 s clip gives {@code 1 + (16000 - 1024) / 320 = 47} frames.
 * {@link FrameLayout#WINDOW} frames wherever the window itself fits (49 frames for 1 s).
 *
 * <h2>Serialized form</h2>
 * {@link #writeTo(DataOutput)} writes, big-endian as {@link DataOutput} does: the int magic
 * {@code 0x45465331} ("EFS1"), then {@code int sampleRate, int windowLength, int hopLength, int fftSize,
 * int melBands, double minHz, double maxHz, int coefficients, double logFloor, byte frameLayout
 * (0 = TORCH_STFT, 1 = WINDOW), int normCount} and, when normCount &gt; 0 (it then equals coefficients),
 * {@code normCount} float means followed by {@code normCount} float standard deviations. normCount 0 means
 * no normalization. {@link #toMap()} gives the same content as text key=value pairs.
 */
public final class FeatureSettings {
    /** Where successive analysis frames are placed in the signal. */
    public enum FrameLayout {
        /** torchaudio/torch.stft with center=False: frame t spans samples [t·hop, t·hop + n_fft), window centred in it. */
        TORCH_STFT,
        /** Frame t is the window itself, samples [t·hop, t·hop + window). */
        WINDOW
    }

    private static final int MAGIC = 0x45465331;
    // Bounds keep a corrupt model file from asking for absurd tables (a clear error instead of an OOM).
    static final int MAX_FFT = 1 << 16;
    static final int MAX_MELS = 1024;

    private final int sampleRate;
    private final int windowLength;
    private final int hopLength;
    private final int fftSize;
    private final int melBands;
    private final double minHz;
    private final double maxHz;
    private final int coefficients;
    private final double logFloor;
    private final FrameLayout layout;
    private final float[] normMean; // empty = identity
    private final float[] normStd;

    private FeatureSettings(Builder b) {
        this.sampleRate = b.sampleRate;
        this.windowLength = b.windowLength;
        this.hopLength = b.hopLength;
        this.fftSize = b.fftSize > 0 ? b.fftSize : nextPowerOfTwo(b.windowLength);
        this.melBands = b.melBands;
        this.minHz = b.minHz;
        this.maxHz = b.maxHz;
        this.coefficients = b.coefficients;
        this.logFloor = b.logFloor;
        this.layout = b.layout;
        this.normMean = b.normMean == null ? new float[0] : b.normMean.clone();
        this.normStd = b.normStd == null ? new float[0] : b.normStd.clone();
        validate();
    }

    private void validate() {
        req(sampleRate >= 1000 && sampleRate <= 1_000_000, "sampleRate must be in [1000, 1000000]: " + sampleRate);
        req(windowLength >= 16 && windowLength <= 1 << 16, "windowLength must be in [16, 65536]: " + windowLength);
        req(hopLength >= 1 && hopLength <= windowLength * 4, "hopLength must be in [1, 4*window]: " + hopLength);
        req(Integer.bitCount(fftSize) == 1 && fftSize <= MAX_FFT, "fftSize must be a power of two <= " + MAX_FFT + ": " + fftSize);
        req(fftSize >= windowLength, "fftSize " + fftSize + " is smaller than the window " + windowLength);
        req(melBands >= 1 && melBands <= Math.min(fftSize / 2, MAX_MELS), "melBands must be in [1, min(fftSize/2, " + MAX_MELS + ")]: " + melBands);
        req(Double.isFinite(minHz) && minHz >= 0 && Double.isFinite(maxHz) && maxHz > minHz
                && maxHz <= sampleRate / 2.0, "need 0 <= minHz < maxHz <= sampleRate/2: " + minHz + ".." + maxHz);
        req(coefficients >= 1 && coefficients <= melBands, "coefficients must be in [1, melBands]: " + coefficients);
        req(logFloor > 0 && Double.isFinite(logFloor), "logFloor must be positive: " + logFloor);
        req(layout != null, "frame layout is null");
        req(normMean.length == normStd.length && (normMean.length == 0 || normMean.length == coefficients),
                "normalization needs 0 or " + coefficients + " means and stds, got " + normMean.length + "/" + normStd.length);
        for (int i = 0; i < normStd.length; i++) {
            req(Float.isFinite(normMean[i]) && Float.isFinite(normStd[i]) && normStd[i] > 0,
                    "normalization " + i + " must be finite with std > 0: " + normMean[i] + "/" + normStd[i]);
        }
    }

    private static void req(boolean ok, String msg) {
        if (!ok) throw new IllegalArgumentException("FeatureSettings: " + msg);
    }

    static int nextPowerOfTwo(int n) {
        int p = Integer.highestOneBit(Math.max(1, n));
        return p == n ? n : p << 1;
    }

    /** The anchor recipe: 16 kHz, 40/20 ms, n_fft 1024, 40 mels 20–7600 Hz, 10 coefficients, torchaudio framing. */
    public static FeatureSettings defaults() {
        return builder().build();
    }

    /** A builder starting from the {@linkplain #defaults() defaults}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this value's settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.sampleRate = sampleRate; b.windowLength = windowLength; b.hopLength = hopLength; b.fftSize = fftSize;
        b.melBands = melBands; b.minHz = minHz; b.maxHz = maxHz; b.coefficients = coefficients;
        b.logFloor = logFloor; b.layout = layout;
        b.normMean = normMean.length == 0 ? null : normMean.clone();
        b.normStd = normStd.length == 0 ? null : normStd.clone();
        return b;
    }

    /** Audio rate in Hz. */
    public int sampleRate() { return sampleRate; }
    /** Analysis window length in samples. */
    public int windowLength() { return windowLength; }
    /** Samples between the starts of successive frames. */
    public int hopLength() { return hopLength; }
    /** FFT length in samples (a power of two, at least the window). */
    public int fftSize() { return fftSize; }
    /** Mel filter bands. */
    public int melBands() { return melBands; }
    /** Lowest frequency the mel bands cover, in Hz. */
    public double minHz() { return minHz; }
    /** Highest frequency the mel bands cover, in Hz. */
    public double maxHz() { return maxHz; }
    /** Cepstral coefficients per frame (the DCT keeps this many). */
    public int coefficients() { return coefficients; }
    /** Added to each mel energy before the log: {@code log(mel + floor)}. */
    public double logFloor() { return logFloor; }
    /** Where frames sit in the signal. */
    public FrameLayout layout() { return layout; }
    /** Whether per-coefficient mean/std normalization is set (false = identity). */
    public boolean normalized() { return normMean.length > 0; }
    /** Per-coefficient means (a copy; empty when not normalized). */
    public float[] normMean() { return normMean.clone(); }
    /** Per-coefficient standard deviations (a copy; empty when not normalized). */
    public float[] normStd() { return normStd.clone(); }

    /** Samples one frame spans in the signal: n_fft for TORCH_STFT, the window for WINDOW. */
    public int frameSpan() {
        return layout == FrameLayout.TORCH_STFT ? fftSize : windowLength;
    }

    /** Offset of the window's first sample inside a frame's span. */
    int windowOffset() {
        return layout == FrameLayout.TORCH_STFT ? (fftSize - windowLength) / 2 : 0;
    }

    /** Number of frames for a signal of {@code samples} samples (0 if shorter than one frame). */
    public int frameCount(long samples) {
        if (samples < frameSpan()) return 0;
        long n = 1 + (samples - frameSpan()) / hopLength;
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    /** Writes the compact binary form described in the class comment. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(sampleRate);
        out.writeInt(windowLength);
        out.writeInt(hopLength);
        out.writeInt(fftSize);
        out.writeInt(melBands);
        out.writeDouble(minHz);
        out.writeDouble(maxHz);
        out.writeInt(coefficients);
        out.writeDouble(logFloor);
        out.writeByte(layout.ordinal());
        out.writeInt(normMean.length);
        for (float v : normMean) out.writeFloat(v);
        for (float v : normStd) out.writeFloat(v);
    }

    /**
     * Reads the form written by {@link #writeTo(DataOutput)}.
     *
     * @throws IOException if the magic, a value or the normalization count is invalid
     */
    public static FeatureSettings readFrom(DataInput in) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC) throw new IOException(String.format("feature settings: bad magic 0x%08x (want 0x%08x)", magic, MAGIC));
        Builder b = builder();
        b.sampleRate = in.readInt();
        b.windowLength = in.readInt();
        b.hopLength = in.readInt();
        b.fftSize = in.readInt();
        b.melBands = in.readInt();
        b.minHz = in.readDouble();
        b.maxHz = in.readDouble();
        b.coefficients = in.readInt();
        b.logFloor = in.readDouble();
        int layout = in.readByte();
        if (layout < 0 || layout >= FrameLayout.values().length) throw new IOException("feature settings: bad frame layout " + layout);
        b.layout = FrameLayout.values()[layout];
        int n = in.readInt();
        // The count must equal the coefficient count: check before allocating.
        if (n != 0 && n != b.coefficients) throw new IOException("feature settings: normalization count " + n + " != coefficients " + b.coefficients);
        if (n > 0) {
            b.normMean = new float[n];
            b.normStd = new float[n];
            for (int i = 0; i < n; i++) b.normMean[i] = in.readFloat();
            for (int i = 0; i < n; i++) b.normStd[i] = in.readFloat();
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The settings as ordered key=value text (the same content as the binary form). */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("sample_rate", Integer.toString(sampleRate));
        m.put("window", Integer.toString(windowLength));
        m.put("hop", Integer.toString(hopLength));
        m.put("n_fft", Integer.toString(fftSize));
        m.put("mel_bands", Integer.toString(melBands));
        m.put("min_hz", Double.toString(minHz));
        m.put("max_hz", Double.toString(maxHz));
        m.put("coefficients", Integer.toString(coefficients));
        m.put("log_floor", Double.toString(logFloor));
        m.put("layout", layout.name());
        if (normMean.length > 0) {
            m.put("norm_mean", join(normMean));
            m.put("norm_std", join(normStd));
        }
        return m;
    }

    /** Parses {@link #toMap()}'s form; keys left out take their default value. */
    public static FeatureSettings fromMap(Map<String, String> m) {
        Builder b = builder();
        try {
            if (m.containsKey("sample_rate")) b.sampleRate = Integer.parseInt(m.get("sample_rate"));
            if (m.containsKey("window")) b.windowLength = Integer.parseInt(m.get("window"));
            if (m.containsKey("hop")) b.hopLength = Integer.parseInt(m.get("hop"));
            b.fftSize = m.containsKey("n_fft") ? Integer.parseInt(m.get("n_fft")) : 0;
            if (m.containsKey("mel_bands")) b.melBands = Integer.parseInt(m.get("mel_bands"));
            if (m.containsKey("min_hz")) b.minHz = Double.parseDouble(m.get("min_hz"));
            if (m.containsKey("max_hz")) b.maxHz = Double.parseDouble(m.get("max_hz"));
            if (m.containsKey("coefficients")) b.coefficients = Integer.parseInt(m.get("coefficients"));
            if (m.containsKey("log_floor")) b.logFloor = Double.parseDouble(m.get("log_floor"));
            if (m.containsKey("layout")) b.layout = FrameLayout.valueOf(m.get("layout"));
            if (m.containsKey("norm_mean")) b.normMean = split(m.get("norm_mean"));
            if (m.containsKey("norm_std")) b.normStd = split(m.get("norm_std"));
        } catch (IllegalArgumentException e) { // NumberFormatException is one
            throw new IllegalArgumentException("FeatureSettings: bad value: " + e.getMessage(), e);
        }
        return b.build();
    }

    private static String join(float[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(v[i]);
        }
        return sb.toString();
    }

    private static float[] split(String s) {
        String[] p = s.split(",");
        float[] v = new float[p.length];
        for (int i = 0; i < p.length; i++) v[i] = Float.parseFloat(p[i].trim());
        return v;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof FeatureSettings)) return false;
        FeatureSettings s = (FeatureSettings) o;
        return sampleRate == s.sampleRate && windowLength == s.windowLength && hopLength == s.hopLength
                && fftSize == s.fftSize && melBands == s.melBands && Double.compare(minHz, s.minHz) == 0
                && Double.compare(maxHz, s.maxHz) == 0 && coefficients == s.coefficients
                && Double.compare(logFloor, s.logFloor) == 0 && layout == s.layout
                && Arrays.equals(normMean, s.normMean) && Arrays.equals(normStd, s.normStd);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sampleRate, windowLength, hopLength, fftSize, melBands, minHz, maxHz, coefficients,
                logFloor, layout, Arrays.hashCode(normMean), Arrays.hashCode(normStd));
    }

    @Override
    public String toString() {
        return "FeatureSettings" + toMap();
    }

    /** Mutable builder; {@link #build()} validates. Defaults are the anchor recipe. */
    public static final class Builder {
        private int sampleRate = 16000;
        private int windowLength = 640;
        private int hopLength = 320;
        private int fftSize = 0; // 0 = next power of two >= window
        private int melBands = 40;
        private double minHz = 20.0;
        private double maxHz = 7600.0;
        private int coefficients = 10;
        private double logFloor = 1e-6;
        private FrameLayout layout = FrameLayout.TORCH_STFT;
        private float[] normMean;
        private float[] normStd;

        private Builder() {
        }

        /** Audio rate in Hz. */
        public Builder sampleRate(int hz) { this.sampleRate = hz; return this; }
        /** Window length in samples. Resets n_fft to "next power of two" unless set after this. */
        public Builder windowLength(int samples) { this.windowLength = samples; this.fftSize = 0; return this; }
        /** Samples between the starts of successive frames. */
        public Builder hopLength(int samples) { this.hopLength = samples; return this; }
        /** Window and hop in milliseconds at the builder's current sample rate (set the rate first). */
        public Builder windowMillis(double winMs, double hopMs) {
            // int() truncation, as the anchor's Frontend does.
            windowLength((int) (sampleRate * winMs / 1000));
            return hopLength((int) (sampleRate * hopMs / 1000));
        }
        /** FFT size (a power of two &ge; window); 0 = next power of two. */
        public Builder fftSize(int n) { this.fftSize = n; return this; }
        /** Mel filter bands. */
        public Builder melBands(int n) { this.melBands = n; return this; }
        /** The range the mel bands cover, in Hz. */
        public Builder frequencyRange(double minHz, double maxHz) { this.minHz = minHz; this.maxHz = maxHz; return this; }
        /** Cepstral coefficients kept per frame. */
        public Builder coefficients(int n) { this.coefficients = n; return this; }
        /** Added to each mel energy before the log. */
        public Builder logFloor(double floor) { this.logFloor = floor; return this; }
        /** Where frames sit in the signal. */
        public Builder layout(FrameLayout layout) { this.layout = layout; return this; }
        /** Per-coefficient normalization {@code (c - mean) / std}; pass nulls for identity. */
        public Builder normalization(float[] mean, float[] std) {
            this.normMean = mean == null ? null : mean.clone();
            this.normStd = std == null ? null : std.clone();
            return this;
        }

        /** The settings, checked: a clear IllegalArgumentException names the first one out of range. */
        public FeatureSettings build() {
            return new FeatureSettings(this);
        }
    }
}
