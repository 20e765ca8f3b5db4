package dev.earshot.app;

import dev.earshot.audio.FeatureSettings;
import dev.earshot.audio.Mfcc;
import dev.earshot.audio.WavReader;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code earshot bench mfcc [--json]}: time to turn a 1 s, 16 kHz clip into MFCC frames on one thread
 * (the median of single timed runs after a JIT warm-up, as shared/anchors/torchaudio_mfcc_bench.py measures
 * torchaudio). With {@code --json} the last line is {@code {"ms_per_clip":…, "realtime_factor":…}}.
 */
@Command(name = "mfcc", mixinStandardHelpOptions = true,
        description = "Benchmark: a 1 s clip to MFCC frames on one thread.")
public final class BenchMfccCommand implements Callable<Integer> {
    @Option(names = "--json", description = "End with one JSON line {\"ms_per_clip\":…, \"realtime_factor\":…}.")
    boolean json;

    @Option(names = "--wav", description = "Clip to use (default: 1 s of 440 Hz tone plus noise, as the anchor).")
    java.nio.file.Path wav;





    @picocli.CommandLine.Mixin
    FeatureOptions features = new FeatureOptions();

    @Option(names = "--reps", description = "Timed runs (default: ${DEFAULT-VALUE}).")
    int reps = 2000;

    @Override
    public Integer call() throws Exception {
        FeatureSettings s = features.settings();
        float[] clip;
        if (wav != null) {
            clip = WavReader.read(wav, s.sampleRate()).samples();
        } else {
            int sr = s.sampleRate();
            clip = new float[sr];
            Random g = new Random(0);
            for (int i = 0; i < sr; i++) clip[i] = (float) (0.1 * Math.sin(2 * Math.PI * 440 * i / sr) + 0.01 * g.nextGaussian());
        }
        Mfcc mfcc = new Mfcc(s);
        int frames = mfcc.frameCount(clip.length);
        float[] out = new float[Math.max(1, frames * s.coefficients())];
        // Warm-up: about 1 s of runs so that C2 has compiled the kernel.
        long warmEnd = System.nanoTime() + 1_500_000_000L;
        while (System.nanoTime() < warmEnd) mfcc.compute(clip, 0, clip.length, out, 0);
        long[] ts = new long[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            mfcc.compute(clip, 0, clip.length, out, 0);
            ts[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ts);
        double medMs = (reps % 2 == 1 ? ts[reps / 2] : (ts[reps / 2 - 1] + ts[reps / 2]) / 2.0) / 1e6;
        double secs = clip.length / (double) s.sampleRate();
        double rtf = secs / (medMs / 1e3);
        System.out.printf(Locale.ROOT, "mfcc: %s%n", s.toMap());
        System.out.printf(Locale.ROOT, "mfcc: %.3f s clip -> %d x %d frames; median %.4f ms per clip over %d runs (p10 %.4f, p90 %.4f); %.0fx real time, one thread%n",
                secs, frames, s.coefficients(), medMs, reps, ts[reps / 10] / 1e6, ts[reps * 9 / 10] / 1e6, rtf);
        if (json) {
            System.out.printf(Locale.ROOT, "{\"ms_per_clip\": %.4f, \"realtime_factor\": %.1f, \"frames\": %d}%n", medMs, rtf, frames);
        }
        return 0;
    }
}
