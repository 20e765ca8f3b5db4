package dev.earshot.gru;

/**
 * Trains a {@link GruModel} in place: one call per mini-batch runs forward, backpropagation through
 * time, gradient clipping and AdamW in C++. The batch is cut into one slice per thread, each on
 * single-threaded OpenBLAS; the threads sleep between calls. Not thread-safe: one trainer, one thread.
 */
public final class GruTrainer implements AutoCloseable {
    private final GruModel model;
    private final GruConfig config;
    private final NativeHandle handle;

    /** The outcome of one training step: mean cross-entropy and the number of correct predictions. */
    public record StepResult(double loss, int correct) {}

    /** Threads used by default: two where there are two cores (measured fastest here), else one. */
    public static int defaultThreads() {
        return Math.min(2, Runtime.getRuntime().availableProcessors());
    }

    /** A trainer on {@link #defaultThreads()} threads. */
    public GruTrainer(GruModel model) {
        this(model, defaultThreads());
    }

    /** A trainer that cuts each batch into {@code threads} slices, one per thread. */
    public GruTrainer(GruModel model, int threads) {
        if (threads < 1 || threads > 256) throw new IllegalArgumentException("threads must be in [1, 256], got " + threads);
        this.model = model;
        this.config = model.config();
        long m = model.handle.acquire();
        try {
            model.handle.addDependent();
            long address;
            try {
                address = GruNative.eg_trainer_create(m, threads);
            } catch (RuntimeException e) {
                model.handle.removeDependent();
                throw e;
            }
            this.handle = new NativeHandle(this, "GRU trainer", address, GruNative::eg_trainer_free, model.handle);
        } finally {
            model.handle.release();
        }
    }

    /** The model this trainer updates. */
    public GruModel model() {
        return model;
    }

    /** The threads each step runs on. */
    public int threads() {
        long h = handle.acquire();
        try {
            return GruNative.eg_trainer_threads(h);
        } finally {
            handle.release();
        }
    }

    /** How this trainer's steps multiply (FP32 unless set). */
    public Precision precision() {
        long h = handle.acquire();
        try {
            return GruNative.eg_trainer_get_bf16(h) == 1 ? Precision.BF16 : Precision.FP32;
        } finally {
            handle.release();
        }
    }

    /**
     * Sets how the following training steps and gradients multiply ({@link Precision}); {@link #infer} stays float.
     * Refuses BF16 on a CPU without AVX-512 BF16 or for an odd hidden size.
     */
    public void setPrecision(Precision precision) {
        precision.check(config.hidden());
        long h = handle.acquire();
        try {
            GruNative.eg_trainer_set_bf16(h, precision == Precision.BF16 ? 1 : 0);
        } finally {
            handle.release();
        }
    }

    /**
     * One training step on a batch.
     *
     * @param x      features [batch, frames, input]
     * @param labels class of each clip, in [0, classes)
     */
    public StepResult step(float[] x, int[] labels, int batch, int frames, AdamSettings adam) {
        return step(x, labels, batch, frames, adam, 0f);
    }

    /**
     * One training step against labels smoothed by {@code labelSmoothing} ε in [0, 1): the target is
     * (1 − ε) on the label and ε/classes spread over all classes (Szegedy et al. 2016).
     */
    public StepResult step(float[] x, int[] labels, int batch, int frames, AdamSettings adam, float labelSmoothing) {
        Checks.smoothing(labelSmoothing);
        Checks.length("x", x, Checks.clips(config, batch, frames));
        Checks.labels(labels, batch, config.classes());
        int[] correct = new int[1];
        long h = handle.acquire();
        try {
            double loss = GruNative.eg_trainer_step(h, x, x.length, labels, labels.length, batch, frames,
                    adam.learningRate(), adam.beta1(), adam.beta2(), adam.epsilon(), adam.weightDecay(),
                    adam.clipNorm(), labelSmoothing, correct);
            return new StepResult(loss, correct[0]);
        } finally {
            handle.release();
        }
    }

    /**
     * Gradients of the mean cross-entropy without updating anything.
     *
     * @param h0    initial states [layers, batch, hidden], or null for zeros
     * @param grads out: [parameterCount], same layout as {@link GruModel#parameters()}
     * @param dx    out (nullable): dL/dx [batch, frames, input]
     * @param dh0   out (nullable): dL/dh0 [layers, batch, hidden]
     * @return the mean cross-entropy
     */
    public double gradients(float[] x, float[] h0, int[] labels, int batch, int frames, float[] grads, float[] dx,
                            float[] dh0) {
        return gradients(x, h0, labels, batch, frames, 0f, grads, dx, dh0);
    }

    /** {@link #gradients(float[], float[], int[], int, int, float[], float[], float[])} with label smoothing. */
    public double gradients(float[] x, float[] h0, int[] labels, int batch, int frames, float labelSmoothing,
                            float[] grads, float[] dx, float[] dh0) {
        Checks.smoothing(labelSmoothing);
        long xl = Checks.clips(config, batch, frames);
        Checks.length("x", x, xl);
        long state = (long) config.layers() * batch * config.hidden();
        Checks.optionalLength("h0", h0, state);
        Checks.labels(labels, batch, config.classes());
        Checks.length("grads", grads, config.parameterCount());
        Checks.optionalLength("dx", dx, xl);
        Checks.optionalLength("dh0", dh0, state);
        long h = handle.acquire();
        try {
            return GruNative.eg_trainer_gradients(h, x, x.length, h0, h0 == null ? 0 : h0.length, labels,
                    labels.length, batch, frames, labelSmoothing, grads, grads.length, dx, dx == null ? 0 : dx.length, dh0,
                    dh0 == null ? 0 : dh0.length, null);
        } finally {
            handle.release();
        }
    }

    /**
     * The first half of {@link #step}: the batch's mean gradients into {@code grads} [parameterCount], nothing
     * updated. Data-parallel training combines the replicas' gradients (weighted by their clips) and then calls
     * {@link #apply}; the two halves on one machine give {@code step}'s parameters bit for bit.
     */
    public StepResult gradients(float[] x, int[] labels, int batch, int frames, float labelSmoothing, float[] grads) {
        Checks.smoothing(labelSmoothing);
        Checks.length("x", x, Checks.clips(config, batch, frames));
        Checks.labels(labels, batch, config.classes());
        Checks.length("grads", grads, config.parameterCount());
        int[] correct = new int[1];
        long h = handle.acquire();
        try {
            double loss = GruNative.eg_trainer_gradients(h, x, x.length, null, 0, labels, labels.length, batch, frames,
                    labelSmoothing, grads, grads.length, null, 0, null, 0, correct);
            return new StepResult(loss, correct[0]);
        } finally {
            handle.release();
        }
    }

    /** The second half of {@link #step}: clips {@code grads} by global norm and applies one AdamW update. */
    public void apply(float[] grads, AdamSettings adam) {
        Checks.length("grads", grads, config.parameterCount());
        long h = handle.acquire();
        try {
            GruNative.eg_trainer_apply(h, grads, grads.length, adam.learningRate(), adam.beta1(), adam.beta2(),
                    adam.epsilon(), adam.weightDecay(), adam.clipNorm());
        } finally {
            handle.release();
        }
    }

    /** Logits [batch, classes] for clips [batch, frames, input], on the trainer's threads. */
    public void infer(float[] x, int batch, int frames, float[] logits) {
        Checks.length("x", x, Checks.clips(config, batch, frames));
        Checks.length("logits", logits, (long) batch * config.classes());
        long h = handle.acquire();
        try {
            GruNative.eg_trainer_infer(h, x, x.length, batch, frames, logits, logits.length);
        } finally {
            handle.release();
        }
    }

    /** Adam steps taken so far. */
    public long stepCount() {
        long h = handle.acquire();
        try {
            return GruNative.eg_trainer_get_step(h);
        } finally {
            handle.release();
        }
    }

    /** Copies Adam's first and second moments (each [parameterCount]) into m and v, for a checkpoint. */
    public void moments(float[] m, float[] v) {
        Checks.length("m", m, config.parameterCount());
        Checks.length("v", v, config.parameterCount());
        long h = handle.acquire();
        try {
            GruNative.eg_trainer_get_moments(h, m, v, m.length);
        } finally {
            handle.release();
        }
    }

    /** Restores Adam's moments and step count from a checkpoint. */
    public void setMoments(float[] m, float[] v, long steps) {
        Checks.length("m", m, config.parameterCount());
        Checks.length("v", v, config.parameterCount());
        if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        long h = handle.acquire();
        try {
            GruNative.eg_trainer_set_moments(h, m, v, m.length, steps);
        } finally {
            handle.release();
        }
    }

    @Override
    public void close() {
        handle.close(); // releases the model too
    }
}
