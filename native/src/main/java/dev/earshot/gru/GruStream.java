package dev.earshot.gru;

/**
 * The hidden state of one or more independent audio streams over a shared {@link GruModel}, advanced
 * one frame at a time. One GruStream per thread; many may share one model.
 */
public final class GruStream implements AutoCloseable {
    private final GruModel model;
    private final GruConfig config;
    private final int streams;
    private final NativeHandle handle;

    public GruStream(GruModel model, int streams) {
        if (streams < 1 || streams > (1 << 16)) {
            throw new IllegalArgumentException("streams must be in [1, 65536], got " + streams);
        }
        this.model = model;
        this.config = model.config();
        this.streams = streams;
        long m = model.handle.acquire();
        try {
            model.handle.addDependent();
            long address;
            try {
                address = GruNative.eg_stream_create(m, streams);
            } catch (RuntimeException e) {
                model.handle.removeDependent();
                throw e;
            }
            this.handle = new NativeHandle(this, "GRU stream", address, GruNative::eg_stream_free, model.handle);
        } finally {
            model.handle.release();
        }
    }

    public int streams() {
        return streams;
    }

    public GruConfig config() {
        return config;
    }

    /**
     * Advances every stream by one frame.
     *
     * @param x      one frame per stream [streams, input]
     * @param logits out: [streams, classes]
     */
    public void step(float[] x, float[] logits) {
        Checks.length("x", x, (long) streams * config.input());
        Checks.length("logits", logits, (long) streams * config.classes());
        long h = handle.acquire();
        try {
            GruNative.eg_stream_step(h, x, x.length, logits, logits.length);
        } finally {
            handle.release();
        }
    }

    /** A copy of the hidden state [layers, streams, hidden]. */
    public float[] state() {
        float[] out = new float[config.layers() * streams * config.hidden()];
        long h = handle.acquire();
        try {
            GruNative.eg_stream_get_state(h, out, out.length);
        } finally {
            handle.release();
        }
        return out;
    }

    public void setState(float[] state) {
        Checks.length("state", state, (long) config.layers() * streams * config.hidden());
        long h = handle.acquire();
        try {
            GruNative.eg_stream_set_state(h, state, state.length);
        } finally {
            handle.release();
        }
    }

    /** Zeroes the state of stream {@code index}. */
    public void reset(int index) {
        if (index < 0 || index >= streams) {
            throw new IndexOutOfBoundsException("stream index " + index + " not in [0, " + streams + ")");
        }
        long h = handle.acquire();
        try {
            GruNative.eg_stream_reset(h, index);
        } finally {
            handle.release();
        }
    }

    /** Zeroes every stream's state. */
    public void resetAll() {
        long h = handle.acquire();
        try {
            GruNative.eg_stream_reset(h, -1);
        } finally {
            handle.release();
        }
    }

    @Override
    public void close() {
        handle.close(); // releases the model too
    }
}
