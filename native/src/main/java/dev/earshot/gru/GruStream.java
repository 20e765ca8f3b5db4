package dev.earshot.gru;

/**
 * The hidden state of one or more independent audio streams over a shared {@link GruModel}, advanced
 * one frame at a time. One GruStream per thread; many may share one model.
 */
public final class GruStream implements AutoCloseable {
    /** How a stream reads the weight matrices, whose reading is the bulk of a step's work. */
    public enum Weights {
        /** As the model holds them. */
        FLOAT32,
        /**
         * Quantized to int8 with one scale per row and 64 columns, as the model file's INT8 encoding stores them, so a
         * model loaded from such a file computes with exactly its stored recurrent weights (when 64 divides the
         * hidden size); a weight matrix narrower than 64 columns (the first layer's input weights, over a few
         * features) stays float. Products and state stay float. A quarter of the bytes to read per frame, which then
         * stay in the core's cache: two to three times faster for large models. The int8 copy is made once per model and
         * shared by its streams; a stream refuses to step once the model's parameters have changed since.
         */
        INT8
    }

    private final GruModel model;
    private final GruConfig config;
    private final int streams;
    private final Weights weights;
    private final NativeHandle handle;

    /** Streams with float weights. */
    public GruStream(GruModel model, int streams) {
        this(model, streams, Weights.FLOAT32);
    }

    /** {@code streams} independent streams on {@code model}, reading its weights as {@code weights} says. */
    public GruStream(GruModel model, int streams, Weights weights) {
        if (streams < 1 || streams > (1 << 16)) {
            throw new IllegalArgumentException("streams must be in [1, 65536], got " + streams);
        }
        if (weights == null) throw new NullPointerException("weights");
        this.model = model;
        this.config = model.config();
        this.streams = streams;
        this.weights = weights;
        long m = model.handle.acquire();
        try {
            model.handle.addDependent();
            long address;
            try {
                address = GruNative.eg_stream_create(m, streams, weights == Weights.INT8 ? 1 : 0);
            } catch (RuntimeException e) {
                model.handle.removeDependent();
                throw e;
            }
            this.handle = new NativeHandle(this, "GRU stream", address, GruNative::eg_stream_free, model.handle);
        } finally {
            model.handle.release();
        }
    }

    /** How many independent streams this holds. */
    public int streams() {
        return streams;
    }

    /** The model's shape. */
    public GruConfig config() {
        return config;
    }

    /** How the streams read the weights. */
    public Weights weights() {
        return weights;
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

    /** Replaces the hidden state of every stream: [layers, streams, hidden]. */
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
