package dev.earshot.audio;

/**
 * Streaming MFCC: takes PCM in chunks of any size and hands each frame to a listener as soon as the last
 * sample it needs has arrived. Frames are the same as {@link Mfcc#compute(float[])} gives for the
 * concatenated audio (the same kernel computes both), whatever the chunking.
 *
 * <p>The hot path allocates nothing: samples go into a ring of one frame span, and the frame array passed
 * to the listener is reused (copy it if you keep it). One instance per stream; not thread-safe. The
 * {@link Mfcc} it is built on may be shared.
 */
public final class StreamingFeaturizer {
    /** Receives each frame; {@code frame} is reused after the call returns. */
    @FunctionalInterface
    public interface FrameListener {
        /**
         * @param index 0-based frame number since the start or the last {@link #reset()}
         * @param frame the frame's coefficients (length {@link Mfcc#coefficients()}), valid during the call only
         */
        void onFrame(long index, float[] frame);
    }

    private final Mfcc mfcc;
    private final Mfcc.Kernel kernel;
    private final FrameListener listener;
    private final float[] ring;
    private final float[] frame;
    private final int span;
    private final int hop;
    private final int winOffset;
    private long received; // samples since start/reset
    private long nextReadyAt; // received count at which the next frame is complete
    private long frameIndex;

    /** A featurizer for {@code mfcc}'s settings that calls {@code listener} once per frame. */
    public StreamingFeaturizer(Mfcc mfcc, FrameListener listener) {
        if (listener == null) throw new NullPointerException("listener");
        this.mfcc = mfcc;
        this.kernel = mfcc.newKernel();
        this.listener = listener;
        FeatureSettings s = mfcc.settings();
        this.span = s.frameSpan();
        this.hop = s.hopLength();
        this.winOffset = s.windowOffset();
        this.ring = new float[span];
        this.frame = new float[mfcc.coefficients()];
        reset();
    }

    /** Forgets all samples received; the next frame is number 0 again. */
    public void reset() {
        received = 0;
        nextReadyAt = span;
        frameIndex = 0;
    }

    /** The settings of the frames produced. */
    public FeatureSettings settings() {
        return mfcc.settings();
    }

    /** Samples received since the start or the last reset. */
    public long samplesReceived() {
        return received;
    }

    /** Frames emitted since the start or the last reset. */
    public long framesEmitted() {
        return frameIndex;
    }

    /** Pushes float samples (mono, at the settings' rate, nominally in [-1, 1]). */
    public void push(float[] pcm, int offset, int length) {
        checkRange(pcm.length, offset, length);
        while (length > 0) {
            int take = (int) Math.min(Math.min(length, nextReadyAt - received), span);
            int pos = (int) (received % span);
            int first = Math.min(take, span - pos);
            System.arraycopy(pcm, offset, ring, pos, first);
            System.arraycopy(pcm, offset + first, ring, 0, take - first);
            advance(take);
            offset += take;
            length -= take;
        }
    }

    /** Pushes all of {@code pcm}. */
    public void push(float[] pcm) {
        push(pcm, 0, pcm.length);
    }

    /** Pushes 16-bit PCM samples, scaled by 1/32768 as the WAV reader does. */
    public void push(short[] pcm, int offset, int length) {
        checkRange(pcm.length, offset, length);
        final float scale = 1f / 32768f;
        while (length > 0) {
            int take = (int) Math.min(Math.min(length, nextReadyAt - received), span);
            int pos = (int) (received % span);
            for (int i = 0; i < take; i++) {
                ring[pos] = pcm[offset + i] * scale;
                if (++pos == span) pos = 0;
            }
            advance(take);
            offset += take;
            length -= take;
        }
    }

    private static void checkRange(int size, int offset, int length) {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException("chunk [" + offset + ", +" + length + ") of " + size);
        }
    }

    private void advance(int taken) {
        received += taken;
        if (received == nextReadyAt) {
            emit();
            nextReadyAt += hop;
        }
    }

    private void emit() {
        // The window starts winOffset into the span that just completed; the ring holds exactly that span.
        long start = nextReadyAt - span + winOffset;
        int pos = (int) (start % span);
        int win = mfcc.win;
        int first = Math.min(win, span - pos);
        kernel.load(ring, pos, 0, first);
        kernel.load(ring, 0, first, win - first);
        kernel.finish(frame, 0);
        listener.onFrame(frameIndex++, frame);
    }
}
