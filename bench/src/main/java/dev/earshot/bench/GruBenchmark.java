package dev.earshot.bench;

import dev.earshot.gru.AdamSettings;
import dev.earshot.gru.GruConfig;
import dev.earshot.gru.GruModel;
import dev.earshot.gru.GruStream;
import dev.earshot.gru.GruTrainer;
import dev.earshot.gru.Precision;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks of the GRU core's three calls on the Speech Commands shapes: a training step
 * (B=64, T=98, I=40, H=128, 12 classes), batch inference, and one streaming step (batch 1).
 * Run through {@code ./earshot bench jmh GruBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GruBenchmark {
    @Param({"64"})
    int batch;
    @Param({"98"})
    int frames;
    @Param({"40"})
    int features;
    @Param({"128"})
    int hidden;
    @Param({"2"})
    int threads;
    /** How training steps multiply: float32, or bfloat16 where the CPU has AVX-512 BF16 (-p compute=bfloat16). */
    @Param({"float32"})
    String compute;

    private GruModel model;
    private GruTrainer trainer;
    private GruStream stream;
    private float[] x, logits, frame, frameLogits;
    private int[] labels;
    private final AdamSettings adam = AdamSettings.of(1e-3f);

    @Setup(Level.Trial)
    public void setUp() {
        GruConfig cfg = new GruConfig(features, hidden, 1, 12);
        model = new GruModel(cfg, 1);
        trainer = new GruTrainer(model, threads);
        trainer.setPrecision(Precision.parse(compute));
        stream = new GruStream(model, 1);
        SplittableRandom rng = new SplittableRandom(3);
        x = new float[batch * frames * features];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.nextInt(12);
        logits = new float[batch * 12];
        frame = new float[features];
        for (int i = 0; i < features; i++) frame[i] = (float) rng.nextGaussian();
        frameLogits = new float[12];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        stream.close();
        trainer.close();
        model.close();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public double trainStep() {
        return trainer.step(x, labels, batch, frames, adam).loss();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public float[] inferBatch() {
        trainer.infer(x, batch, frames, logits);
        return logits;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float[] streamStep() {
        stream.step(frame, frameLogits);
        return frameLogits;
    }
}
