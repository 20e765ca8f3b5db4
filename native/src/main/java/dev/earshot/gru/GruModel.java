package dev.earshot.gru;

/**
 * A GRU classifier's parameters in native memory. Thread-safe for inference and streams; a
 * {@link GruTrainer} changes the parameters in place and must not run while others read them.
 * Close it (after its streams and trainers) to free the memory.
 */
public final class GruModel implements AutoCloseable {
    private final GruConfig config;
    final NativeHandle handle;

    /** A model with deterministic random initial weights drawn from {@code seed}. */
    public GruModel(GruConfig config, long seed) {
        GruNative.load();
        this.config = config;
        long address = GruNative.eg_model_create(config.input(), config.hidden(), config.layers(), config.classes(), seed);
        this.handle = new NativeHandle(this, "GRU model", address, GruNative::eg_model_free);
    }

    /** A model with the given parameters (layout of {@link #parameters()}). */
    public GruModel(GruConfig config, float[] parameters) {
        this(config, 0L);
        setParameters(parameters);
    }

    /** The model's shape. */
    public GruConfig config() {
        return config;
    }

    /**
     * A copy of all parameters. Per layer l (input size In = input for l = 0, else hidden):
     * Wx[3H, In], Wh[3H, H], b[3H], with rows ordered update gate z, reset gate r, candidate; then the
     * head Wo[C, H], bo[C]. Row-major.
     */
    public float[] parameters() {
        float[] out = new float[Math.toIntExact(config.parameterCount())];
        long h = handle.acquire();
        try {
            GruNative.eg_model_get_params(h, out, out.length);
        } finally {
            handle.release();
        }
        return out;
    }

    /** Replaces every parameter. Streams made before with {@link GruStream.Weights#INT8} refuse to step after this. */
    public void setParameters(float[] parameters) {
        Checks.length("parameters", parameters, config.parameterCount());
        long h = handle.acquire();
        try {
            GruNative.eg_model_set_params(h, parameters, parameters.length);
        } finally {
            handle.release();
        }
    }

    /**
     * Logits for a batch of clips on the calling thread.
     *
     * @param x      features [batch, frames, input], row-major
     * @param logits out: [batch, classes]
     */
    public void infer(float[] x, int batch, int frames, float[] logits) {
        Checks.length("x", x, Checks.clips(config, batch, frames));
        Checks.length("logits", logits, (long) batch * config.classes());
        long h = handle.acquire();
        try {
            GruNative.eg_model_infer(h, x, x.length, batch, frames, logits, logits.length);
        } finally {
            handle.release();
        }
    }

    @Override
    public void close() {
        handle.close();
    }
}
