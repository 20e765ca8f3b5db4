package dev.earshot.app;

import dev.earshot.gru.AdamSettings;
import dev.earshot.gru.Blas;
import dev.earshot.gru.GruConfig;
import dev.earshot.gru.GruModel;
import dev.earshot.gru.GruStream;
import dev.earshot.gru.GruTrainer;
import dev.earshot.gru.Precision;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code earshot bench gru}: the native core's speed on one shape. The FLOP count follows the PyTorch
 * anchor ({@code shared/anchors/pytorch_gru_bench.py}): forward = 2·T·B·3H·(I+H) per layer, a training
 * step = 3 × forward, so GFLOPS are comparable. With {@code --peak} it also times OpenBLAS SGEMM alone on
 * the step's own matrix shapes, the ceiling the GRU's products run against.
 */
@Command(name = "gru", mixinStandardHelpOptions = true,
        description = "Time the GRU core: a training step, batch inference, or one streaming step.")
public final class BenchGruCommand implements Callable<Integer> {
    enum Mode { train, infer, stream }

    @Option(names = "--mode", defaultValue = "train", description = "train, infer or stream (default: ${DEFAULT-VALUE})")
    Mode mode;
    @Option(names = "--batch", defaultValue = "64", description = "clips per call (streams, in stream mode)")
    int batch;
    @Option(names = "--frames", defaultValue = "98", description = "frames per clip")
    int frames;
    @Option(names = "--features", defaultValue = "40", description = "features per frame")
    int features;
    @Option(names = "--hidden", defaultValue = "128", description = "GRU units")
    int hidden;
    @Option(names = "--layers", defaultValue = "1", description = "GRU layers")
    int layers;
    @Option(names = "--classes", defaultValue = "12", description = "output classes")
    int classes;
    @Option(names = "--threads", description = "trainer threads (default: what GruTrainer picks)")
    Integer threads;
    @Option(names = "--reps", defaultValue = "30", description = "timed calls (stream mode: timed blocks of 1000 calls)")
    int reps;
    @Option(names = "--warmup", defaultValue = "5", description = "untimed calls first")
    int warmup;
    @Option(names = "--weights", defaultValue = "FLOAT32",
            description = "stream mode: how the stream reads the weights, FLOAT32 or INT8 (default: ${DEFAULT-VALUE})")
    GruStream.Weights weights;
    @Option(names = "--compute", defaultValue = "float32", paramLabel = "TYPE",
            description = "train mode: how the step multiplies, float32 or bfloat16 (default: ${DEFAULT-VALUE})")
    String compute;
    @Option(names = "--peak", description = "also time OpenBLAS SGEMM alone on the step's shapes")
    boolean peak;
    @Option(names = "--json", description = "print one JSON object as the last line")
    boolean json;

    @Override
    public Integer call() {
        Precision precision;
        try {
            precision = Precision.parse(compute);
            if (mode == Mode.train) precision.check(hidden);
            else if (precision != Precision.FP32) throw new IllegalArgumentException("applies to --mode train only");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--compute " + compute + ": " + e.getMessage());
        }
        GruConfig cfg = new GruConfig(features, hidden, layers, classes);
        SplittableRandom rng = new SplittableRandom(1);
        int t = threads == null ? GruTrainer.defaultThreads() : threads;
        double flopsForward = 0;
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? features : hidden;
            flopsForward += 2.0 * frames * batch * 3 * hidden * (in + hidden);
        }
        double[] times;
        double perCallClips;
        try (GruModel model = new GruModel(cfg, 7)) {
            switch (mode) {
                case train -> {
                    float[] x = random(rng, batch * frames * features);
                    int[] y = new int[batch];
                    for (int i = 0; i < batch; i++) y[i] = rng.nextInt(classes);
                    AdamSettings adam = AdamSettings.of(1e-3f);
                    try (GruTrainer trainer = new GruTrainer(model, t)) {
                        trainer.setPrecision(precision);
                        times = time(() -> trainer.step(x, y, batch, frames, adam));
                    }
                    perCallClips = batch;
                }
                case infer -> {
                    float[] x = random(rng, batch * frames * features);
                    float[] logits = new float[batch * classes];
                    try (GruTrainer trainer = new GruTrainer(model, t)) {
                        times = time(() -> trainer.infer(x, batch, frames, logits));
                    }
                    perCallClips = batch;
                }
                default -> {
                    float[] x = random(rng, batch * features);
                    float[] logits = new float[batch * classes];
                    try (GruStream stream = new GruStream(model, batch, weights)) {
                        // One timed unit = 1000 steps; the median is over units, reported per step.
                        times = time(() -> {
                            for (int i = 0; i < 1000; i++) stream.step(x, logits);
                        });
                        for (int i = 0; i < times.length; i++) times[i] /= 1000;
                    }
                    perCallClips = batch;
                    flopsForward /= frames;
                }
            }
        }
        double ms = Stats.median(times);
        double flops = mode == Mode.train ? 3 * flopsForward : flopsForward;
        double gflops = flops / (ms / 1e3) / 1e9;
        double clipsPerS = perCallClips / (ms / 1e3);
        String env = "OPENBLAS_CORETYPE=" + System.getenv().getOrDefault("OPENBLAS_CORETYPE", "unset")
                + " OPENBLAS_L2_SIZE=" + System.getenv().getOrDefault("OPENBLAS_L2_SIZE", "unset");
        System.out.printf(Locale.ROOT, "earshot gru mode=%s B=%d T=%d I=%d H=%d L=%d C=%d threads=%d%s%n", mode, batch,
                frames, features, hidden, layers, classes, mode == Mode.stream ? 1 : t,
                mode == Mode.stream ? " weights=" + weights : " compute=" + precision.label());
        System.out.printf(Locale.ROOT, "  blas: %s; %s%n", Blas.info(), env);
        if (mode == Mode.stream) {
            System.out.printf(Locale.ROOT, "  us_median=%.3f us_min=%.3f steps_per_s=%.0f realtime_factor_10ms=%.0f gflops=%.2f%n",
                    ms * 1e3, Stats.min(times) * 1e3, 1e3 / ms, 10.0 / ms, gflops);
        } else {
            System.out.printf(Locale.ROOT, "  ms_median=%.3f ms_min=%.3f clips_per_s=%.1f gflops=%.2f%n", ms,
                    Stats.min(times), clipsPerS, gflops);
        }
        double peakGflops = Double.NaN;
        if (peak) peakGflops = sgemmPeak();
        if (json) {
            StringBuilder b = new StringBuilder("{");
            b.append("\"mode\":").append(Stats.quote(mode.name()));
            b.append(",\"batch\":").append(batch).append(",\"frames\":").append(frames);
            b.append(",\"features\":").append(features).append(",\"hidden\":").append(hidden);
            b.append(",\"layers\":").append(layers).append(",\"threads\":").append(mode == Mode.stream ? 1 : t);
            if (mode != Mode.stream) b.append(",\"compute\":").append(Stats.quote(precision.label()));
            b.append(",\"ms_median\":").append(Stats.num(ms));
            if (mode == Mode.stream) b.append(",\"us_median\":").append(Stats.num(ms * 1e3));
            b.append(",\"clips_per_s\":").append(Stats.num(clipsPerS));
            b.append(",\"gflops\":").append(Stats.num(gflops));
            if (peak) {
                b.append(",\"sgemm_peak_gflops\":").append(Stats.num(peakGflops));
                b.append(",\"share_of_sgemm_peak\":").append(Stats.num(gflops / peakGflops));
            }
            b.append(",\"blas\":").append(Stats.quote(Blas.info()));
            b.append(",\"openblas_coretype\":").append(Stats.quote(System.getenv().getOrDefault("OPENBLAS_CORETYPE", "unset")));
            b.append("}");
            System.out.println(b);
        }
        return 0;
    }

    private double[] time(Runnable call) {
        for (int i = 0; i < warmup; i++) call.run();
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            call.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }

    /**
     * OpenBLAS SGEMM alone (one thread, through the preset's own binding) on the shapes of the step:
     * the input projection [T·B, I]·[I, 3H], the per-step recurrent product [B, H]·[H, 2H] and the
     * weight-gradient product [3H, T·B]·[T·B, H]. Prints each; returns the best.
     */
    private double sgemmPeak() {
        int tb = frames * batch, g = 3 * hidden;
        int[][] shapes = {{tb, g, features}, {batch, 2 * hidden, hidden}, {g, hidden, tb}, {tb, g, hidden}};
        String[] names = {"input projection", "recurrent step", "weight gradient", "square-ish"};
        double best = 0;
        for (int s = 0; s < shapes.length; s++) {
            int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
            try (FloatPointer a = new FloatPointer((long) m * k); FloatPointer b = new FloatPointer((long) k * n);
                 FloatPointer c = new FloatPointer((long) m * n)) {
                a.fill(0); b.fill(0); c.fill(0);
                int calls = (int) Math.max(1, 2e8 / (2.0 * m * n * k));
                double[] times = time(() -> {
                    for (int i = 0; i < calls; i++) {
                        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                                openblas_nolapack.CblasNoTrans, m, n, k, 1f, a, k, b, n, 0f, c, n);
                    }
                });
                double gf = 2.0 * m * n * k * calls / (Stats.median(times) / 1e3) / 1e9;
                best = Math.max(best, gf);
                System.out.printf(Locale.ROOT, "  sgemm %-16s M=%d N=%d K=%d: %.2f GFLOPS%n", names[s], m, n, k, gf);
            }
        }
        return best;
    }
}
