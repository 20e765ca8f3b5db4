package dev.earshot.audio;

/**
 * Sample-rate conversion of a stream in chunks of any size, with the same band-limited TarsosDSP filter as
 * {@link Resampler}: the filter's state carries over between chunks, so the output equals the offline
 * conversion of the whole stream up to the filter's latency. One instance per stream; not thread-safe.
 */
public final class StreamingResampler {
    /** Receives converted samples; the array is reused after the call. */
    @FunctionalInterface
    public interface Sink {
        void accept(float[] samples, int offset, int length);
    }

    private final int fromRate, toRate;
    private final double factor;
    private final Sink sink;
    private be.tarsos.dsp.resample.Resampler filter;
    private final float[] out;

    public StreamingResampler(int fromRate, int toRate, Sink sink) {
        Resampler.checkRate(fromRate);
        Resampler.checkRate(toRate);
        if (sink == null) throw new NullPointerException("sink");
        this.fromRate = fromRate;
        this.toRate = toRate;
        this.factor = toRate / (double) fromRate;
        this.sink = sink;
        this.out = new float[4096];
        reset();
    }

    public int fromRate() {
        return fromRate;
    }

    public int toRate() {
        return toRate;
    }

    /** Converts {@code in[offset, offset + length)} and hands every sample produced so far to the sink. */
    public void push(float[] in, int offset, int length) {
        if (offset < 0 || length < 0 || offset > in.length - length) {
            throw new IndexOutOfBoundsException("chunk [" + offset + ", +" + length + ") of " + in.length);
        }
        if (fromRate == toRate) {
            sink.accept(in, offset, length);
            return;
        }
        int pos = offset, end = offset + length;
        while (true) {
            be.tarsos.dsp.resample.Resampler.Result r = filter.process(factor, in, pos, end - pos, false, out, 0, out.length);
            pos += r.inputSamplesConsumed;
            if (r.outputSamplesGenerated > 0) sink.accept(out, 0, r.outputSamplesGenerated);
            if (r.inputSamplesConsumed == 0 && r.outputSamplesGenerated == 0) break;
            if (pos >= end && r.outputSamplesGenerated < out.length) break;
        }
    }

    /** Forgets the stream: the next sample starts a new one. */
    public void reset() {
        filter = fromRate == toRate ? null : new be.tarsos.dsp.resample.Resampler(true, factor, factor);
    }
}
