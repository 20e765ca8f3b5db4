package dev.earshot.app;

import dev.earshot.audio.FeatureSettings;
import dev.earshot.audio.Mfcc;
import dev.earshot.audio.WavReader;
import dev.earshot.datasets.Clip;
import dev.earshot.datasets.FeatureCache;
import dev.earshot.datasets.LabelSet;
import dev.earshot.datasets.SpeechCommandsDataset;
import dev.earshot.gru.AdamSettings;
import dev.earshot.gru.GruConfig;
import dev.earshot.gru.GruModel;
import dev.earshot.gru.GruTrainer;
import dev.earshot.gru.Precision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code earshot bench train}: clips per second of whole training epochs over a dataset's cached features
 * (computed once into the feature cache, then read back), as an epoch of the full dataset would run. The
 * default shapes are the PyTorch anchor's: 40 coefficients at 30/10 ms (97 frames), GRU-128, batch 64.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Clips/s of whole training epochs from cached features.")
public final class BenchTrainCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "a Speech Commands-shaped folder")
    Path data;
    @Option(names = "--cache", description = "feature cache folder (default: ~/.cache/earshot/features)")
    Path cache;
    @Option(names = "--hidden", defaultValue = "128", description = "GRU units per layer (default: ${DEFAULT-VALUE})") int hidden;
    @Option(names = "--layers", defaultValue = "1", description = "stacked GRU layers (default: ${DEFAULT-VALUE})") int layers;
    @Option(names = "--batch", defaultValue = "64", description = "clips per step (default: ${DEFAULT-VALUE})") int batch;
    @Option(names = "--epochs", defaultValue = "3", description = "timed epochs (after one warm-up epoch)") int epochs;
    @Option(names = "--threads", description = "trainer threads (default: 2 on 2+ cores)") Integer threads;
    @picocli.CommandLine.Mixin
    FeatureOptions features = new FeatureOptions(30, 10, 40, 40);
    @Option(names = "--compute", defaultValue = "float32", paramLabel = "TYPE",
            description = "how the steps multiply, float32 or bfloat16 (default: ${DEFAULT-VALUE})") String compute;
    @Option(names = "--json", description = "print one JSON object as the last line") boolean json;

    @Override
    public Integer call() throws IOException {
        Precision precision;
        try {
            precision = Precision.parse(compute);
            precision.check(hidden);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--compute " + compute + ": " + e.getMessage());
        }
        FeatureSettings fs = features.settings();
        Mfcc mfcc = new Mfcc(fs);
        int clipSamples = fs.sampleRate();
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(data);
        LabelSet labels = LabelSet.standard12();
        List<Path> files = new ArrayList<>();
        List<Integer> y = new ArrayList<>();
        for (Clip c : ds.clips()) {
            files.add(c.file());
            y.add(labels.labelOf(c));
        }
        Path dir = cache != null ? cache : Path.of(System.getProperty("user.home"), ".cache", "earshot", "features");
        long t0 = System.nanoTime();
        FeatureCache.Features f = FeatureCache.load(dir, files, FeatureCache.settingsKey(fs), p -> {
            try {
                float[] pcm = java.util.Arrays.copyOf(WavReader.read(p, fs.sampleRate()).samples(), clipSamples);
                float[] out = new float[mfcc.frameCount(clipSamples) * mfcc.coefficients()];
                mfcc.compute(pcm, 0, clipSamples, out, 0);
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, 2);
        double loadS = (System.nanoTime() - t0) / 1e9;
        int n = f.size(), T = mfcc.frameCount(clipSamples), C = mfcc.coefficients(), frame = T * C;
        int t = threads == null ? GruTrainer.defaultThreads() : threads;
        System.out.printf(Locale.ROOT, "features of %d clips: %s from %s in %.1f s; T=%d I=%d H=%d B=%d threads=%d "
                + "compute=%s%n", n, f.status(), f.file(), loadS, T, C, hidden, batch, t, precision.label());
        double[] clipsPerS = new double[epochs];
        try (GruModel model = new GruModel(new GruConfig(C, hidden, layers, labels.size()), 1);
             GruTrainer trainer = new GruTrainer(model, t)) {
            trainer.setPrecision(precision);
            float[] x = new float[batch * frame];
            int[] yb = new int[batch];
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            SplittableRandom rng = new SplittableRandom(1);
            AdamSettings adam = AdamSettings.of(1e-3f);
            for (int e = -1; e < epochs; e++) {
                for (int i = n - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1), tmp = order[i];
                    order[i] = order[j];
                    order[j] = tmp;
                }
                long s0 = System.nanoTime();
                for (int from = 0; from + batch <= n; from += batch) {  // whole batches, as an epoch of 85k clips would run
                    for (int b = 0; b < batch; b++) {
                        System.arraycopy(f.get(order[from + b]), 0, x, b * frame, frame);
                        yb[b] = y.get(order[from + b]);
                    }
                    trainer.step(x, yb, batch, T, adam);
                }
                double secs = (System.nanoTime() - s0) / 1e9;
                if (e >= 0) {
                    clipsPerS[e] = (n / batch) * batch / secs;
                    System.out.printf(Locale.ROOT, "epoch %d: %.2f s, %.0f clips/s%n", e + 1, secs, clipsPerS[e]);
                }
            }
        }
        double med = Stats.median(clipsPerS);
        System.out.printf(Locale.ROOT, "median %.0f clips/s: an 85,000-clip epoch would take %.1f s%n", med, 85000 / med);
        if (json) {
            System.out.printf(Locale.ROOT, "{\"clips_per_s\":%s,\"epoch_85k_s\":%s,\"frames\":%d,\"features\":%d,"
                    + "\"hidden\":%d,\"batch\":%d,\"threads\":%d,\"compute\":%s}%n", Stats.num(med), Stats.num(85000 / med), T, C,
                    hidden, batch, t, Stats.quote(precision.label()));
        }
        return 0;
    }
}
