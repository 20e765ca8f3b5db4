package dev.earshot.app;

import dev.earshot.app.train.DataLoader;
import dev.earshot.app.train.Report;
import dev.earshot.app.train.TrainSettings;
import dev.earshot.app.train.NegativeSettings;
import dev.earshot.app.train.Trainer;
import dev.earshot.app.train.TrainingData;
import dev.earshot.audio.FeatureSettings;
import dev.earshot.datasets.BackgroundNoise;
import dev.earshot.datasets.LabelSet;
import dev.earshot.datasets.NegativeAudio;
import dev.earshot.datasets.SpeechCommandsDataset;
import dev.earshot.datasets.SplitPolicy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code earshot train}: trains a GRU keyword model on a Speech Commands-shaped folder. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a GRU keyword model on Speech Commands (v0.01 or v0.02 layout).",
                "Writes the model, a checkpoint after every epoch (<out>.ckpt; --resume continues from it) and a report "
                        + "(<out>-report.html with learning curves and the confusion matrix as PNG)."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "the dataset folder (<word>/<speaker>_nohash_<n>.wav)")
    Path data;
    @Option(names = "--labels", defaultValue = "12", paramLabel = "SET",
            description = "12 (silence, unknown + 10 commands), 35 (all words), or a comma-separated word list (default: ${DEFAULT-VALUE})")
    String labels;
    @Option(names = "--out", defaultValue = "model.earshot", paramLabel = "FILE", description = "model file to write (default: ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--resume", description = "continue from <out>.ckpt after an interruption")
    boolean resume;
    @Option(names = "--weights", defaultValue = "float32", paramLabel = "TYPE",
            description = "how the model file stores weights: float32, float16 or int8 (64-weight blocks); inference is float32 either way")
    String weights;
    @Option(names = "--split", defaultValue = "auto", paramLabel = "HOW",
            description = "auto (the dataset's lists, else TensorFlow's hash), lists, hash, speakers (held out by speaker)")
    String split;
    @Option(names = "--cache", paramLabel = "DIR", description = "feature cache folder (default: ~/.cache/earshot/features; 'none' to keep "
            + "features in memory only)")
    String cache;
    @Option(names = "--add-data", paramLabel = "DIR", description = "another Speech Commands-shaped folder whose clips all go to training "
            + "(e.g. from 'earshot dataset synth'); repeatable")
    java.util.List<Path> addData = new java.util.ArrayList<>();
    @Option(names = "--validation-list", paramLabel = "FILE", description = "file of validation clips (word/file.wav per line); the rest trains")
    Path validationList;
    @Option(names = "--validation-percent", defaultValue = "10", paramLabel = "P", description = "for --split speakers (default: ${DEFAULT-VALUE})")
    double validationPercent;
    @Option(names = "--split-seed", defaultValue = "0", paramLabel = "S", description = "for --split speakers (default: ${DEFAULT-VALUE})")
    long splitSeed;
    @Option(names = "--hidden", defaultValue = "256", paramLabel = "H",
            description = "GRU units per layer (default: ${DEFAULT-VALUE})") int hidden;
    @Option(names = "--layers", defaultValue = "1", paramLabel = "L",
            description = "stacked GRU layers (default: ${DEFAULT-VALUE})") int layers;
    @Option(names = "--epochs", defaultValue = "80", paramLabel = "E",
            description = "passes over the training data (default: ${DEFAULT-VALUE})") int epochs;
    @Option(names = "--batch", defaultValue = "64", paramLabel = "B",
            description = "clips per step (default: ${DEFAULT-VALUE})") int batch;
    @Option(names = "--lr", defaultValue = "2e-3", paramLabel = "LR",
            description = "peak learning rate, cosine decay to 0 (default: ${DEFAULT-VALUE})") float lr;
    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "WD",
            description = "decoupled (AdamW) weight decay (default: ${DEFAULT-VALUE}; the bundled models use 0.2)")
    float weightDecay;
    @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
            description = "initial weights and every epoch's draws (default: ${DEFAULT-VALUE})") long seed;
    @Option(names = "--threads", paramLabel = "N", description = "native trainer threads (default: 2 on 2+ cores)")
    Integer threads;
    @Option(names = "--no-augment", description = "no noise, shift, SpecAugment or speed perturbation") boolean noAugment;
    @Option(names = "--speed", defaultValue = "0", paramLabel = "F", description = "speed perturbation ±fraction (0 = off)") float speed;
    @Option(names = "--keep", defaultValue = "best", paramLabel = "WHICH",
            description = "best (the epoch with the best validation accuracy) or last (nothing chosen on validation)")
    String keep;
    @Option(names = "--label-smoothing", defaultValue = "0", paramLabel = "E", description = "target (1-e) on the label, e spread over all classes")
    float labelSmoothing;

    @Option(names = "--unknown-percent", defaultValue = "10", paramLabel = "P",
            description = "unknown-word examples drawn per epoch, as a percentage of the command words (default 10, as TensorFlow)")
    double unknownPercent;

    @Option(names = "--noise-volume", defaultValue = "0.1", paramLabel = "V",
            description = "background noise mixed in at a volume drawn from U(0, V) (default 0.1, as TensorFlow)")
    float noiseVolume;

    @Option(names = "--context-ms", defaultValue = "0", paramLabel = "MS",
            description = "train for continuous listening: precede each batch's clips with 0..MS ms of other clips, "
                    + "so the model runs on a stream without resets (0: one-clip windows from a zero state)")
    double contextMs;
    @Option(names = "--ema", defaultValue = "0", paramLabel = "D", description = "weight averaging decay per step (0 = off, e.g. 0.998)") float ema;
    @Option(names = "--time-masks", defaultValue = "2", paramLabel = "N",
            description = "SpecAugment time masks per clip (default: ${DEFAULT-VALUE})") int timeMasks;
    @Option(names = "--band-masks", defaultValue = "2", paramLabel = "N",
            description = "SpecAugment mel-band masks per clip (default: ${DEFAULT-VALUE})") int bandMasks;
    @Option(names = "--negatives", paramLabel = "DIR", description = "a folder of audio known to hold none of the "
            + "target words (TV, office, other speech, music), read recursively; its windows train as _unknown_; "
            + "unreadable files are skipped with a warning; repeatable")
    java.util.List<Path> negatives = new java.util.ArrayList<>();
    @Option(names = "--negatives-percent", defaultValue = "30", paramLabel = "P",
            description = "negative windows drawn per epoch, as a percentage of the command words (default: ${DEFAULT-VALUE})")
    double negativesPercent;
    @Option(names = "--negative-context-percent", defaultValue = "0", paramLabel = "P",
            description = "with --context-ms: the share of the audio before each clip cut from --negatives instead of "
                    + "other clips (default: ${DEFAULT-VALUE})")
    double negativeContextPercent;
    @Option(names = "--hard-negatives-percent", defaultValue = "0", paramLabel = "P",
            description = "the share of negative draws taken from the windows the model scores highest as a command "
                    + "(hard-negative mining; 0 = off; default: ${DEFAULT-VALUE})")
    double hardNegativesPercent;
    @Option(names = "--mine-every", defaultValue = "5", paramLabel = "E",
            description = "mine hard negatives with the weights being trained every E epochs (default: ${DEFAULT-VALUE})")
    int mineEvery;
    @Option(names = "--hard-negative-windows", defaultValue = "500", paramLabel = "N",
            description = "how many of the highest-scoring windows are kept as hard negatives (default: ${DEFAULT-VALUE})")
    int hardNegativeWindows;
    @Option(names = "--mine-with", paramLabel = "MODEL",
            description = "mine the hard negatives once, before training, with this model instead of the one being trained")
    String mineWith;
    @Option(names = "--background", paramLabel = "DIR", description = "a folder of background audio (music, "
            + "ambience) mixed under clips, half of the noise draws, as _background_noise_ is; files over 1 s; repeatable")
    java.util.List<Path> background = new java.util.ArrayList<>();
    @picocli.CommandLine.Mixin
    FeatureOptions features = new FeatureOptions();

    private dev.earshot.api.ModelFile.Precision precision() {
        try {
            return dev.earshot.api.ModelFile.Precision.valueOf(weights.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--weights must be float32, float16 or int8, not '" + weights + "'");
        }
    }

    private boolean keepBest() {
        if (!keep.equals("best") && !keep.equals("last")) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--keep must be best or last");
        }
        return keep.equals("best");
    }

    @Override
    public Integer call() throws Exception {
        picocli.CommandLine cl = new picocli.CommandLine(this);
        if (negatives.isEmpty() && (hardNegativesPercent > 0 || negativeContextPercent > 0 || mineWith != null)) {
            throw new picocli.CommandLine.ParameterException(cl, "--hard-negatives-percent, --negative-context-percent "
                    + "and --mine-with need --negatives DIR");
        }
        if (!(negativesPercent >= 0 && negativesPercent <= 1000)) throw new picocli.CommandLine.ParameterException(cl,
                "--negatives-percent must be in [0, 1000], not " + negativesPercent);
        for (double[] v : new double[][] {{negativeContextPercent, 0}, {hardNegativesPercent, 1}}) {
            if (!(v[0] >= 0 && v[0] <= 100)) throw new picocli.CommandLine.ParameterException(cl,
                    (v[1] == 0 ? "--negative-context-percent" : "--hard-negatives-percent") + " must be in [0, 100], not " + v[0]);
        }
        if (mineEvery < 1 || hardNegativeWindows < 1) throw new picocli.CommandLine.ParameterException(cl,
                "--mine-every and --hard-negative-windows must be at least 1");
        if (mineWith != null && hardNegativesPercent == 0) throw new picocli.CommandLine.ParameterException(cl,
                "--mine-with needs --hard-negatives-percent > 0");
        FeatureSettings fs = features.settings();
        int clipSamples = fs.sampleRate();  // one second
        SpeechCommandsDataset dataset = SpeechCommandsDataset.open(data);
        LabelSet labelSet = LabelSet.parse(labels);
        SplitPolicy policy = validationList != null ? DataLoader.validationList(validationList) : switch (split) {
            case "auto" -> SplitPolicy.standard(dataset);
            case "lists" -> SplitPolicy.lists(dataset);
            case "hash" -> SplitPolicy.tensorflowHash(10, 10);
            case "speakers" -> SplitPolicy.speakerHeldOut(dataset, validationPercent, 0, splitSeed);
            default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--split must be auto, lists, hash or speakers, not '" + split + "'");
        };
        long t0 = System.nanoTime();
        java.util.List<SpeechCommandsDataset> extra = new java.util.ArrayList<>();
        for (Path p : addData) extra.add(SpeechCommandsDataset.open(p));
        TrainingData td = DataLoader.load(dataset, extra, labelSet, policy, fs.sampleRate(), clipSamples);
        if (!negatives.isEmpty()) td = td.withNegatives(NegativeAudio.load(negatives, fs.sampleRate(), 0, System.err));
        if (!background.isEmpty()) {
            NegativeAudio bg = NegativeAudio.load(background, fs.sampleRate(), clipSamples, System.err);
            BackgroundNoise mine = BackgroundNoise.of(bg, clipSamples);
            td = td.withNoise(td.noise() == null ? mine : td.noise().with(mine), bg.description());
        }
        System.err.printf(Locale.ROOT, "loaded %d training and %d validation clips in %.1f s%n", td.train().size(),
                td.validation().size(), (System.nanoTime() - t0) / 1e9);
        TrainSettings d = TrainSettings.defaults();
        TrainSettings s = new TrainSettings(hidden, layers, epochs, batch, lr, weightDecay, d.clipNorm(), seed,
                threads == null ? d.threads() : threads,
                noAugment ? 0 : d.noiseProbability(), noAugment ? 0 : noiseVolume, noAugment ? 0 : d.shiftSamples(),
                d.silenceFraction(), (float) (unknownPercent / 100), noAugment ? 0 : timeMasks, d.timeMaskWidth(),
                noAugment ? 0 : bandMasks, d.bandMaskWidth(), noAugment ? 0 : speed, ema, keepBest(), labelSmoothing,
                (int) Math.round(contextMs / (1000.0 * fs.hopLength() / fs.sampleRate())),
                negatives.isEmpty() ? null : new NegativeSettings((float) (negativesPercent / 100),
                        (float) (negativeContextPercent / 100), (float) (hardNegativesPercent / 100), mineEvery,
                        hardNegativeWindows));
        Path ckpt = Path.of(out + ".ckpt");
        Path cacheDir = "none".equals(cache) ? null : cache != null ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "earshot", "features");
        Trainer trainer = new Trainer(td, fs, clipSamples, s, ckpt, resume, cacheDir, System.err).provenance("earshot", "0.1.0");
        Trainer.Result r;
        if (mineWith != null) {
            try (dev.earshot.api.KeywordModel miner = dev.earshot.api.KeywordModel.open(mineWith)) {
                r = trainer.mineWith(miner, mineWith).run();
            }
        } else {
            r = trainer.run();
        }
        try (var model = r.model()) {
            model.save(out, precision());
        }
        String base = out.getFileName().toString().replaceFirst("\\.earshot$", "");
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("model", out.toString());
        facts.put("data", td.description());
        facts.put("labels", String.join(" ", td.labels()));
        facts.put("best validation accuracy", String.format(Locale.ROOT, "%.4f (epoch %d)", r.bestAccuracy(), r.bestEpoch()));
        s.toMap().forEach(facts::put);
        facts.put("features", fs.toString());
        Path report = Report.write(out.toAbsolutePath().resolveSibling(base + "-report"), r.history(), r.labels(),
                r.confusion(), facts);
        System.out.printf(Locale.ROOT, "wrote %s (validation accuracy %.4f at epoch %d); report %s%n", out,
                r.bestAccuracy(), r.bestEpoch(), report);
        return 0;
    }
}
