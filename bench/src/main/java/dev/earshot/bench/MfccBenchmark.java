package dev.earshot.bench;

import dev.earshot.audio.FeatureSettings;
import dev.earshot.audio.Mfcc;
import dev.earshot.audio.StreamingFeaturizer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * JMH: a 1 s, 16 kHz clip to MFCC frames on one thread, offline and streamed in 10 ms chunks, for the anchor
 * recipe (40/20 ms, 40 mels, 10 coefficients) and 30/10 ms with 40 coefficients.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class MfccBenchmark {
    @Param({"40/20/10", "30/10/40"})
    public String recipe;

    private Mfcc mfcc;
    private float[] clip;
    private float[] out;
    private StreamingFeaturizer stream;
    private float sink;

    @Setup
    public void setup() {
        String[] p = recipe.split("/");
        FeatureSettings s = FeatureSettings.builder().windowMillis(Double.parseDouble(p[0]), Double.parseDouble(p[1]))
                .coefficients(Integer.parseInt(p[2])).build();
        mfcc = new Mfcc(s);
        clip = new float[16000];
        Random g = new Random(0);
        for (int i = 0; i < clip.length; i++) clip[i] = (float) (0.1 * Math.sin(2 * Math.PI * 440 * i / 16000.0) + 0.01 * g.nextGaussian());
        out = new float[mfcc.frameCount(clip.length) * s.coefficients()];
        stream = new StreamingFeaturizer(mfcc, (i, f) -> sink += f[0]);
    }

    @Benchmark
    public float[] offline() {
        mfcc.compute(clip, 0, clip.length, out, 0);
        return out;
    }

    @Benchmark
    public void streaming10ms(Blackhole bh) {
        stream.reset();
        for (int pos = 0; pos < clip.length; pos += 160) stream.push(clip, pos, 160);
        bh.consume(sink);
    }
}
