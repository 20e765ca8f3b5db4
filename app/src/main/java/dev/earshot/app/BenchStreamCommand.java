package dev.earshot.app;

import dev.earshot.api.DetectionSettings;
import dev.earshot.api.KeywordModel;
import dev.earshot.api.Spotter;
import dev.earshot.gru.GruStream;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code earshot bench stream}: the cost of 10 ms of audio through the whole spotter (streaming MFCC, the GRU
 * windows, smoothing and detection) on the calling thread.
 */
@Command(name = "stream", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Time 10 ms chunks of audio through a Spotter (features, GRU, smoothing) on one thread.")
public final class BenchStreamCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelOption model = new ModelOption();
    @Option(names = "--seconds", defaultValue = "60", paramLabel = "S", description = "audio per timed block (default: ${DEFAULT-VALUE})") int seconds;
    @Option(names = "--blocks", defaultValue = "5", paramLabel = "N", description = "timed blocks; the median is reported (default: ${DEFAULT-VALUE})") int blocks;
    @Option(names = "--stride-ms", paramLabel = "MS", description = "window stride (default: the tuned one)") Integer strideMs;
    @Option(names = "--json", description = "print one JSON object as the last line") boolean json;

    @Override
    public Integer call() throws Exception {
        try (KeywordModel m = model.open()) {
            DetectionSettings d = m.detectionSettings();
            if (strideMs != null) d = new DetectionSettings(d.averageWindowMs(), d.threshold(), d.thresholds(),
                    d.suppressionMs(), d.minimumCount(), strideMs);
            String mode = m.continuous() ? "one continuous stream" : "windows every " + d.windowStrideMs() + " ms";
            float[] audio = new float[m.sampleRate() * seconds];
            SplittableRandom rng = new SplittableRandom(1);
            for (int i = 0; i < audio.length; i++) audio[i] = (float) (0.05 * rng.nextGaussian() + 0.2 * Math.sin(i * 0.05));
            double med = time(m, d, audio, m.streamWeights().name().toLowerCase(Locale.ROOT), mode);
            Double floatMed = null;
            if (m.streamWeights() != GruStream.Weights.FLOAT32) {
                // The same weights as float32 (a model made in memory streams with float weights), for comparison.
                try (KeywordModel asFloat = KeywordModel.create(m.contents())) {
                    floatMed = time(asFloat, d, audio, "float32 (the same)", mode);
                }
            }
            if (json) {
                System.out.printf(Locale.ROOT, "{\"us_per_10ms\":%s,\"realtime_factor\":%s,\"mode\":%s,"
                                + "\"weights\":%s,\"float32_us_per_10ms\":%s}%n",
                        Stats.num(med), Stats.num(10000 / med), Stats.quote(m.continuous() ? "continuous" : "windows"),
                        Stats.quote(m.streamWeights().name().toLowerCase(Locale.ROOT)),
                        floatMed == null ? "null" : Stats.num(floatMed));
            }
        }
        return 0;
    }

    /** Median µs per 10 ms chunk of {@code audio} over the timed blocks, after three warm-up passes; prints one line. */
    private double time(KeywordModel m, DetectionSettings d, float[] audio, String weights, String mode) {
        int chunk = m.sampleRate() / 100;
        double[] usPerChunk = new double[blocks];
        try (Spotter sp = new Spotter(m, d, det -> {})) {
            for (int w = 0; w < 3; w++) for (int i = 0; i + chunk <= audio.length; i += chunk) sp.accept(audio, i, chunk);
            for (int b = 0; b < blocks; b++) {
                long t0 = System.nanoTime();
                for (int i = 0; i + chunk <= audio.length; i += chunk) sp.accept(audio, i, chunk);
                usPerChunk[b] = (System.nanoTime() - t0) / 1e3 / (audio.length / chunk);
            }
        }
        double med = Stats.median(usPerChunk);
        System.out.printf(Locale.ROOT, "spotter: %s, %s, %s weights: %.2f µs per 10 ms of audio (min %.2f), "
                + "%.0fx real time, one thread%n", m.architecture(), mode, weights, med, Stats.min(usPerChunk), 10000 / med);
        return med;
    }
}
