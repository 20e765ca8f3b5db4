package dev.earshot.api;

import dev.earshot.audio.StreamingFeaturizer;
import dev.earshot.audio.StreamingResampler;
import dev.earshot.gru.GruStream;

/**
 * Listens to one audio stream and reports keywords. PCM goes in, in chunks of any length; MFCC frames come
 * out of a {@link StreamingFeaturizer}; the GRU runs frame by frame; smoothed posteriors become
 * {@link Detection}s for the {@link SpotterListener} through a {@link CommandRecognizer}. Times are stream times
 * in milliseconds: a window's, and a detection's, is the middle of that one-clip window, when the word was heard.
 *
 * <p>How the GRU runs depends on how the model was trained ({@link KeywordModel#continuous()}):
 * <ul>
 *   <li>Continuous models were trained with other audio before each clip, so they classify the latest second
 *   whatever came before. One GRU stream runs on the whole stream, and its posteriors after every frame go to
 *   the recognizer. The state stays bounded: every unit of a GRU state is a convex mix of tanh values, within
 *   (−1, 1). A one-hour stream showed no drift in false accepts or detections (BENCHMARKS.md).</li>
 *   <li>Window models were trained on single clips from a zero state, so the spotter runs them the same way:
 *   every {@link DetectionSettings#windowStrideMs()} a new window starts on a GRU stream of its own (all
 *   windows step together in one batched call), and when a window has seen one clip of audio its posteriors
 *   are taken and its stream is reset. This costs one GRU step per open window per frame.</li>
 * </ul>
 *
 * <p>One spotter per audio source and thread; many spotters may share one {@link KeywordModel}. Close it to
 * free its native state. Nothing is allocated per frame.
 */
public final class Spotter implements AutoCloseable {
    private final KeywordModel model;
    private final DetectionSettings settings;
    private final SpotterListener listener;
    private final StreamingFeaturizer featurizer;
    private final GruStream gru;
    private final int labels, coefs, windowFrames, stride, period, windows;
    private final int sampleRate, hop;
    private final boolean continuous;
    private final int posteriorPeriodMs;
    private final float[] x, logits, posterior;
    private final CommandRecognizer recognizer;
    private final int halfClipMs;
    private long frame = -1;
    private byte carry;                // the low byte of a 16-bit sample split across byte chunks
    private boolean hasCarry;
    private volatile boolean closed;
    private final short[] byteScratch = new short[4096];
    private final int inputRate;
    private final StreamingResampler resampler;  // null when the input is at the model's rate
    private final float[] floatScratch;

    /** A spotter at the model's own rate with the detection settings tuned for it ({@link KeywordModel#detectionSettings()}). */
    public Spotter(KeywordModel model, SpotterListener listener) {
        this(model, model.detectionSettings(), listener);
    }

    /** A spotter at the model's own rate. */
    public Spotter(KeywordModel model, DetectionSettings settings, SpotterListener listener) {
        this(model, settings, listener, model.sampleRate());
    }

    /**
     * A spotter for audio at {@code inputRate} Hz, converted to the model's rate on the way in (band-limited,
     * as {@link dev.earshot.audio.Resampler}).
     *
     * @throws IllegalArgumentException if the rate is outside [1000, 1000000] Hz
     */
    public Spotter(KeywordModel model, DetectionSettings settings, SpotterListener listener, int inputRate) {
        if (listener == null) throw new NullPointerException("listener");
        if (inputRate < dev.earshot.audio.Resampler.MIN_RATE || inputRate > dev.earshot.audio.Resampler.MAX_RATE) {
            throw new IllegalArgumentException("input rate " + inputRate + " Hz is outside ["
                    + dev.earshot.audio.Resampler.MIN_RATE + ", " + dev.earshot.audio.Resampler.MAX_RATE + "]");
        }
        this.model = model;
        this.settings = settings;
        this.listener = listener;
        this.labels = model.labels().size();
        this.coefs = model.mfcc().coefficients();
        this.windowFrames = model.clipFrames();
        this.sampleRate = model.sampleRate();
        this.hop = model.features().hopLength();
        double hopMs = 1000.0 * hop / sampleRate;
        this.continuous = model.continuous();
        // A continuous model is one stream that never resets: a period no frame count reaches.
        this.stride = continuous ? 1 : Math.max(1, (int) Math.round(settings.windowStrideMs() / hopMs));
        this.period = continuous ? 0 : stride * ((windowFrames + stride - 1) / stride);
        this.windows = continuous ? 1 : period / stride;
        this.gru = new GruStream(model.gru(), windows, model.streamWeights());
        this.x = new float[windows * coefs];
        this.logits = new float[windows * labels];
        this.posterior = new float[labels];
        this.posteriorPeriodMs = (int) Math.round(stride * hopMs);
        this.recognizer = new CommandRecognizer(model.labels(), settings, posteriorPeriodMs);
        this.halfClipMs = (int) (500L * model.clipSamples() / sampleRate);
        this.featurizer = new StreamingFeaturizer(model.mfcc(), this::onFrame);
        this.inputRate = inputRate;
        this.resampler = inputRate == sampleRate ? null
                : new StreamingResampler(inputRate, sampleRate, (a, off, len) -> featurizer.push(a, off, len));
        this.floatScratch = resampler == null ? null : new float[byteScratch.length];
    }

    /** The rate the spotter takes audio at. */
    public int inputRate() {
        return inputRate;
    }

    /**
     * Milliseconds between two posteriors passed to {@link SpotterListener#onPosteriors}: one hop for a continuous
     * model, the window stride otherwise. Give it to a {@link CommandRecognizer} that replays recorded posteriors.
     */
    public int posteriorPeriodMs() {
        return posteriorPeriodMs;
    }

    public KeywordModel model() {
        return model;
    }

    public DetectionSettings settings() {
        return settings;
    }

    /** Audio pushed so far (as it reached the model: after rate conversion), in milliseconds. */
    public long timeMs() {
        return featurizer.samplesReceived() * 1000 / sampleRate;
    }

    /** Pushes mono float PCM in [-1, 1] at {@link #inputRate()}. */
    public void accept(float[] pcm, int offset, int length) {
        checkOpen();
        if (resampler != null) resampler.push(pcm, offset, length);
        else featurizer.push(pcm, offset, length);
    }

    public void accept(float[] pcm) {
        accept(pcm, 0, pcm.length);
    }

    /** Pushes mono 16-bit PCM at {@link #inputRate()}. */
    public void accept(short[] pcm, int offset, int length) {
        checkOpen();
        pushShorts(pcm, offset, length);
    }

    private void pushShorts(short[] pcm, int offset, int length) {
        if (resampler == null) {
            featurizer.push(pcm, offset, length);
            return;
        }
        if (offset < 0 || length < 0 || offset > pcm.length - length) {
            throw new IndexOutOfBoundsException("chunk [" + offset + ", +" + length + ") of " + pcm.length);
        }
        for (int done = 0; done < length; ) {
            int n = Math.min(floatScratch.length, length - done);
            for (int i = 0; i < n; i++) floatScratch[i] = pcm[offset + done + i] / 32768f;
            resampler.push(floatScratch, 0, n);
            done += n;
        }
    }

    public void accept(short[] pcm) {
        accept(pcm, 0, pcm.length);
    }

    /**
     * Pushes mono signed 16-bit little-endian PCM bytes at {@link #inputRate()} (what a microphone line gives).
     * A sample split between two calls is joined.
     */
    public void acceptBytes(byte[] pcm, int offset, int length) {
        checkOpen();
        if (offset < 0 || length < 0 || offset > pcm.length - length) {
            throw new IndexOutOfBoundsException("chunk [" + offset + ", +" + length + ") of " + pcm.length);
        }
        int i = offset, end = offset + length;
        if (hasCarry && i < end) {
            byteScratch[0] = (short) ((carry & 0xff) | (pcm[i++] << 8));
            hasCarry = false;
            pushShorts(byteScratch, 0, 1);
        }
        while (end - i >= 2) {
            int n = Math.min(byteScratch.length, (end - i) / 2);
            for (int k = 0; k < n; k++, i += 2) byteScratch[k] = (short) ((pcm[i] & 0xff) | (pcm[i + 1] << 8));
            pushShorts(byteScratch, 0, n);
        }
        if (i < end) {
            carry = pcm[i];
            hasCarry = true;
        }
    }

    /** Forgets all audio and state: the next sample is time 0 again. */
    public void reset() {
        checkOpen();
        featurizer.reset();
        if (resampler != null) resampler.reset();
        gru.resetAll();
        frame = -1;
        recognizer.reset();
        hasCarry = false;
    }

    private void onFrame(long index, float[] f) {
        long t = ++frame;
        if (continuous) {
            gru.step(f, logits);
            if (t >= windowFrames - 1) windowDone(0);
            return;
        }
        for (int w = 0; w < windows; w++) {
            if (Math.floorMod(t - (long) w * stride, period) == 0) gru.reset(w);
            System.arraycopy(f, 0, x, w * coefs, coefs);
        }
        gru.step(x, logits);
        for (int w = 0; w < windows; w++) {
            long local = Math.floorMod(t - (long) w * stride, period);
            if (local == windowFrames - 1 && t >= (long) w * stride + windowFrames - 1) windowDone(w);
        }
    }

    private void windowDone(int w) {
        System.arraycopy(logits, w * labels, posterior, 0, labels);
        KeywordModel.softmaxInPlace(posterior, 0, labels);
        // A window is heard at its middle: that is when the word it recognizes was spoken.
        long heard = timeMs() - halfClipMs;
        Detection d = recognizer.accept(heard, posterior);
        listener.onPosteriors(heard, posterior, recognizer.smoothed());
        if (d != null) listener.onDetection(d);
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("spotter is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        gru.close();
    }
}
