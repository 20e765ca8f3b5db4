package dev.earshot.app;

import dev.earshot.training.DataLoader;
import dev.earshot.training.DataRecipe;
import dev.earshot.training.Report;
import dev.earshot.training.TrainSettings;
import dev.earshot.training.NegativeSettings;
import dev.earshot.training.Trainer;
import dev.earshot.training.TrainingData;
import dev.earshot.audio.FeatureSettings;
import dev.earshot.datasets.EspeakSynthesizer;
import dev.earshot.datasets.SpokenNegatives;
import dev.earshot.datasets.LabelSet;
import dev.earshot.datasets.SpeechCommandsDataset;
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
                "Writes the model and a report (<out>-report.html with learning curves and the confusion matrix as PNG). "
                        + "A checkpoint is written after every epoch (<out>.ckpt, about 4 times the model's size; "
                        + "--resume continues from it) and deleted when the run has written everything, unless "
                        + "--keep-checkpoint.",
                "Every option is checked before any clip is read; validation has silence and unknown words at the "
                        + "shares training draws them, as 'earshot dataset info' with the same --split options shows."})
public class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR", description = "the dataset folder (<word>/<speaker>_nohash_<n>.wav)")
    Path data;
    @Option(names = "--manifest", paramLabel = "FILE", description = "instead of --data: a TSV or CSV file whose header "
            + "names 'path' and 'label' columns ('speaker' where known, else read from the file names; rows labelled "
            + "_background_noise_ are noise recordings)")
    Path manifest;
    @Option(names = "--labels", defaultValue = "12", paramLabel = "SET",
            description = "12 (silence, unknown + 10 commands), 35 (all words), or a comma-separated word list (default: ${DEFAULT-VALUE})")
    String labels;
    @Option(names = "--out", defaultValue = "model.earshot", paramLabel = "FILE", description = "model file to write (default: ${DEFAULT-VALUE})")
    Path out;
    @Option(names = "--resume", description = "continue from <out>.ckpt after an interruption (or, after a run that "
            + "trained but could not write its model or report, write them without training again)")
    boolean resume;
    @Option(names = "--keep-checkpoint", description = "keep <out>.ckpt after a finished run (by default it is "
            + "deleted once the model and report are written: only --resume reads it)")
    boolean keepCheckpoint;
    @Option(names = "--weights", defaultValue = "float32", paramLabel = "TYPE",
            description = "how the model file stores weights: float32, float16 or int8 (64-weight blocks); inference is float32 either way")
    String weights;
    @picocli.CommandLine.Mixin
    SplitOptions splitOptions = new SplitOptions();
    @Option(names = "--cache", paramLabel = "DIR", description = "feature cache folder (default: ~/.cache/earshot/features; 'none' to keep "
            + "features in memory only)")
    String cache;
    @Option(names = "--add-data", paramLabel = "DIR", description = "another Speech Commands-shaped folder whose clips all go to training "
            + "(e.g. from 'earshot dataset synth'); repeatable")
    java.util.List<Path> addData = new java.util.ArrayList<>();
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
    @Option(names = "--compute", defaultValue = "float32", paramLabel = "TYPE",
            description = "how training multiplies: float32, or bfloat16 (the GRU's products on bfloat16 operands summed "
                    + "in float, about 1.5x faster on a CPU with AVX-512 BF16; default: ${DEFAULT-VALUE})")
    String compute;
    @Option(names = "--threads", paramLabel = "N", description = "native trainer threads (default: 2 on 2+ cores)")
    Integer threads;
    @Option(names = "--word-draws", paramLabel = "N", description = "target-word draws per epoch, at least: when there "
            + "are fewer clips they are repeated, each augmented afresh (default: each clip once; with --init "
            + INIT_WORD_DRAWS + ")")
    Integer wordDraws;
    @Option(names = "--no-augment", description = "no noise, shift, SpecAugment, speed, pitch or reverberation") boolean noAugment;
    @Option(names = "--speed", defaultValue = "0", paramLabel = "F", description = "speed perturbation ±fraction (0 = off)") float speed;
    @Option(names = "--pitch", defaultValue = "0", paramLabel = "F", description = "pitch perturbation ±fraction, the "
            + "tempo kept (0 = off; e.g. 0.1)") float pitch;
    @Option(names = "--reverb", defaultValue = "0", paramLabel = "P", description = "the share of speech clips played "
            + "in a room generated in code (RT60 0.2-0.8 s; 0 = off; e.g. 0.5)") float reverb;
    @Option(names = "--keep", defaultValue = "best", paramLabel = "WHICH",
            description = "best (the epoch with the best validation accuracy) or last (nothing chosen on validation); "
                    + "default: best, with --init last (a few takes of one's own words validate nothing)")
    String keep;
    @Option(names = "--label-smoothing", defaultValue = "0", paramLabel = "E", description = "target (1-e) on the label, e spread over all classes")
    float labelSmoothing;

    @Option(names = "--unknown-percent", defaultValue = "10", paramLabel = "P",
            description = "unknown-word examples drawn per epoch, as a percentage of the command words (default 10, as "
                    + "TensorFlow; with --init " + INIT_UNKNOWN_PERCENT + ")")
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
    @Option(names = "--no-spoken-negatives", description = "when --data holds no words but the target words, do not "
            + "add other words spoken by espeak-ng (made once, about a minute, and cached) as what is not a target "
            + "word; --negatives must then be given")
    boolean noSpokenNegatives;
    @Option(names = "--spoken-voices", defaultValue = "" + SpokenNegatives.VOICES, paramLabel = "N",
            description = "how many espeak-ng voices speak those other words (default: ${DEFAULT-VALUE})")
    int spokenVoices;
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
    @Option(names = "--init", paramLabel = "MODEL", description = "transfer learning: start from this model's GRU "
            + "(default, windows or a .earshot file) with a new head for --labels (its own head when the labels are its "
            + "labels); its feature settings and size come "
            + "with it, and --epochs / --lr / --unknown-percent / --keep default to " + INIT_EPOCHS + " / " + INIT_LR + " / "
            + INIT_UNKNOWN_PERCENT + " / last (a few clips of your own words train in minutes)")
    String init;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    static final int INIT_EPOCHS = 30;
    static final String INIT_LR = "5e-4";
    /** With --init: as many other words as one's own (a wake word hears far more of what is not it). */
    static final int INIT_UNKNOWN_PERCENT = 100;
    /** With --init: a few hundred draws of one's own twenty clips per epoch, so that thirty epochs are ~200 steps. */
    static final int INIT_WORD_DRAWS = 512;
    /** What a model given to --init decides, so the command line may not. */
    static final String[] SET_BY_INIT = {"--hidden", "--layers", "--win-ms", "--hop-ms", "--mels", "--mfcc"};

    static final String[] WEIGHTS = {"float32", "float16", "int8"};
    static final String[] KEEPS = {"best", "last"};

    private dev.earshot.api.ModelFile.Precision precision() {
        return dev.earshot.api.ModelFile.Precision.valueOf(weights.toUpperCase(Locale.ROOT));
    }

    /** --compute as a {@link dev.earshot.gru.Precision}; an error names the option. */
    private dev.earshot.gru.Precision compute() {
        try {
            return dev.earshot.gru.Precision.parse(compute);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--compute " + e.getMessage());
        }
    }

    /** The label set {@code spec} names; an error names {@code option} and what it takes. */
    static LabelSet labelSet(String option, String spec) {
        try {
            return LabelSet.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + spec.trim() + ": " + e.getMessage() + " (" + option
                    + " takes 12, 35, 30 or a comma-separated word list)");
        }
    }

    /** Every target word of {@code labelSet} must have clips in {@code dataset}, which validation is drawn from. */
    static void checkLabels(String spec, LabelSet labelSet, SpeechCommandsDataset dataset) {
        java.util.List<String> present = new java.util.ArrayList<>(dataset.words());
        present.remove(LabelSet.SILENCE);
        java.util.List<String> missing = labelSet.words().stream().filter(w -> !present.contains(w)).toList();
        if (missing.isEmpty()) return;
        throw new IllegalArgumentException(String.format(Locale.ROOT, "--labels %s: '%s' %s no clips in %s (its words: "
                        + "%s); give 12 or 35 if it is Speech Commands, or a comma-separated list of its words",
                spec.trim(), String.join("', '", missing), missing.size() == 1 ? "has" : "have", dataset.root(),
                String.join(", ", present)));
    }

    /**
     * A model must hear what is not a target word. When the data holds no other words (a folder of one's own enrolled
     * words, say), other words spoken by espeak-ng are added ({@link SpokenNegatives}, made once and cached), with
     * --negatives if given; with --no-spoken-negatives, --negatives must be given, or the model would learn to say a
     * target word to everything.
     */
    void addSomethingElse(LabelSet labelSet, SpeechCommandsDataset dataset,
                          java.util.List<SpeechCommandsDataset> extra) throws java.io.IOException {
        java.util.Set<String> others = new java.util.TreeSet<>(dataset.words());
        for (SpeechCommandsDataset e : extra) others.addAll(e.words());
        others.removeAll(labelSet.words());
        others.remove(LabelSet.SILENCE);
        if (!others.isEmpty()) return;
        String what = (data != null ? "--data " + data : "--manifest " + manifest) + (addData.isEmpty() ? "" : " and --add-data") + " hold no words but --labels' ("
                + String.join(", ", labelSet.words()) + ")";
        if (noSpokenNegatives) {
            if (!negatives.isEmpty()) return;
            throw new IllegalArgumentException(what + ", and no --negatives are given: the model would not learn what is "
                    + "not a target word. Leave out --no-spoken-negatives, or add other words (--add-data DIR, e.g. from "
                    + "'earshot dataset synth'), --negatives DIR of other speech, or enroll your words into the "
                    + "downloaded Speech Commands");
        }
        Path spoken;
        try {
            spoken = SpokenNegatives.ensure(cacheRoot(), labelSet.words(), spokenVoices,
                    new EspeakSynthesizer("espeak-ng", null), System.err);
        } catch (java.io.IOException e) {
            if (!e.getMessage().startsWith(EspeakSynthesizer.NOT_INSTALLED)) throw e;
            throw new IllegalArgumentException(what + ": other words spoken by espeak-ng would train as what is not a "
                    + "target word, but " + EspeakSynthesizer.NOT_INSTALLED + "; or give --negatives DIR of other speech, "
                    + "or --add-data DIR of other words");
        }
        extra.add(SpeechCommandsDataset.open(spoken));
    }

    /** Where the feature cache and the spoken other words are kept (--cache, else ~/.cache/earshot). */
    private Path cacheRoot() {
        return cache != null && !cache.equals("none") ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "earshot");
    }

    /**
     * Refuses every option value no training can be made with, naming the option and what it takes, before the
     * dataset is opened.
     */
    private void check() {
        checkSource();
        labelSet("--labels", labels);
        Options.outputFile("--out", out);
        Options.oneOf("--weights", weights.toLowerCase(Locale.ROOT), WEIGHTS);
        compute();
        Options.oneOf("--keep", keep, KEEPS);
        splitOptions.check();
        if (cache != null && !cache.equals("none") && java.nio.file.Files.exists(Path.of(cache))
                && !java.nio.file.Files.isDirectory(Path.of(cache))) {
            throw new IllegalArgumentException("--cache " + cache + ": not a folder (give a folder, or 'none')");
        }
        for (Path p : addData) Options.inputFolder("--add-data", p);
        for (Path p : negatives) Options.inputFolder("--negatives", p);
        for (Path p : background) Options.inputFolder("--background", p);
        Options.atLeast("--hidden", hidden, 1);
        Options.atLeast("--layers", layers, 1);
        Options.atLeast("--epochs", epochs, 1);
        Options.atLeast("--batch", batch, 1);
        if (threads != null) Options.atLeast("--threads", threads, 1);
        if (wordDraws != null) Options.atLeast("--word-draws", wordDraws, 1);
        Options.inRange("--spoken-voices", spokenVoices, 1, 100);
        Options.positive("--lr", lr);
        Options.nonNegative("--weight-decay", weightDecay);
        Options.inHalfOpenRange("--speed", speed, 0, 0.5);
        Options.inHalfOpenRange("--pitch", pitch, 0, 0.5);
        Options.inRange("--reverb", reverb, 0, 1);
        Options.inHalfOpenRange("--label-smoothing", labelSmoothing, 0, 1);
        Options.inHalfOpenRange("--ema", ema, 0, 1);
        Options.inRange("--unknown-percent", unknownPercent, 0, 1000);
        Options.inRange("--noise-volume", noiseVolume, 0, 10);
        Options.nonNegative("--context-ms", contextMs);
        Options.atLeast("--time-masks", timeMasks, 0);
        Options.atLeast("--band-masks", bandMasks, 0);
        if (negatives.isEmpty() && (hardNegativesPercent > 0 || negativeContextPercent > 0 || mineWith != null)) {
            throw new IllegalArgumentException("--hard-negatives-percent, --negative-context-percent "
                    + "and --mine-with need --negatives DIR");
        }
        Options.inRange("--negatives-percent", negativesPercent, 0, 1000);
        Options.inRange("--negative-context-percent", negativeContextPercent, 0, 100);
        Options.inRange("--hard-negatives-percent", hardNegativesPercent, 0, 100);
        Options.atLeast("--mine-every", mineEvery, 1);
        Options.atLeast("--hard-negative-windows", hardNegativeWindows, 1);
        if (mineWith != null && hardNegativesPercent == 0) {
            throw new IllegalArgumentException("--mine-with needs --hard-negatives-percent > 0");
        }
        if (mineWith != null && dev.earshot.api.KeywordModel.resourceOf(mineWith) == null) {
            Options.inputFile("--mine-with", Path.of(mineWith));
        }
        if (init != null) {
            if (dev.earshot.api.KeywordModel.resourceOf(init) == null) Options.inputFile("--init", Path.of(init));
            for (String o : SET_BY_INIT) {
                if (given(o)) throw new IllegalArgumentException(o + " comes with --init's model; leave it out");
            }
        }
        FeatureSettings fs = features.settings();
        long contextFrames = Math.round(contextMs / (1000.0 * fs.hopLength() / fs.sampleRate()));
        if (contextFrames > 100_000) {
            throw new IllegalArgumentException("--context-ms must be at most " + (long) (100_000 * 1000.0 * fs.hopLength()
                    / fs.sampleRate()) + ", not " + contextMs);
        }
    }

    /** Checks where the clips come from: --data or --manifest. */
    void checkSource() {
        if ((data == null) == (manifest == null)) throw new IllegalArgumentException("give --data DIR or --manifest FILE (one of them)");
        if (data != null) Options.inputFolder("--data", data);
        else Options.inputFile("--manifest", manifest);
    }

    /** The clips to train on, before any audio is read: --data's folder or --manifest's list. */
    SpeechCommandsDataset openDataset() throws java.io.IOException {
        return data != null ? SpeechCommandsDataset.open(data) : SpeechCommandsDataset.fromManifest(manifest);
    }

    /** Where the clips are, as the recipe that every replica of a data-parallel run loads names it. */
    String dataLocation() {
        return absolute(data != null ? data : manifest);
    }

    /** The feature settings: --init's model's, else the feature options. */
    FeatureSettings featureSettings(dev.earshot.api.KeywordModel initModel) {
        return initModel != null ? initModel.features() : features.settings();
    }

    /** Samples per clip: --init's model's, else one second. */
    int clipSamples(dev.earshot.api.KeywordModel initModel, FeatureSettings fs) {
        return initModel != null ? initModel.clipSamples() : fs.sampleRate();
    }

    static String absolute(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }

    /** A finished run, with what it was trained and validated on (for the report). */
    record Trained(Trainer.Result result, String data, String validation) {}

    /** Trains on this machine: loads the recipe's data and runs the trainer, drawing progress on stderr. */
    Trained fit(DataRecipe recipe, FeatureSettings fs, TrainSettings s, Path ckpt,
                dev.earshot.api.KeywordModel initModel) throws Exception {
        long t0 = System.nanoTime();
        TrainingData td = recipe.load(System.err);
        System.err.printf(Locale.ROOT, "loaded %d training and %d validation clips in %.1f s; validation %s%n",
                td.train().size(), td.validation().size(), (System.nanoTime() - t0) / 1e9, DataLoader.describe(td));
        Path cacheDir = "none".equals(cache) ? null : cache != null ? cacheRoot() : cacheRoot().resolve("features");
        Trainer trainer = new Trainer(td, fs, recipe.clipSamples(), s, ckpt, resume, cacheDir, new Progress(System.err))
                .provenance("earshot", "0.1.0");
        if (initModel != null) trainer.startFrom(initModel, init);
        if (mineWith == null) return new Trained(trainer.run(), td.description(), DataLoader.describe(td));
        try (dev.earshot.api.KeywordModel miner = dev.earshot.api.KeywordModel.open(mineWith)) {
            return new Trained(trainer.mineWith(miner, mineWith).run(), td.description(), DataLoader.describe(td));
        }
    }

    /** What to do with the checkpoint when the model or report could not be written. */
    private static String resumeHint(Path ckpt) {
        return "the checkpoint " + ckpt + " holds the trained run: the same command with --resume writes them "
                + "without training again";
    }

    boolean given(String option) {
        return spec != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    @Override
    public Integer call() throws Exception {
        check();
        dev.earshot.api.KeywordModel initModel = null;
        if (init != null) {
            try {
                initModel = dev.earshot.api.KeywordModel.open(init);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--init " + init + ": " + Main.describe(e));
            }
        }
        try {
            return train(initModel);
        } finally {
            if (initModel != null) initModel.close();
        }
    }

    private int train(dev.earshot.api.KeywordModel initModel) throws Exception {
        FeatureSettings fs = featureSettings(initModel);
        int clipSamples = clipSamples(initModel, fs);
        if (initModel != null) {
            hidden = initModel.architecture().hidden();
            layers = initModel.architecture().layers();
            if (!given("--epochs")) epochs = INIT_EPOCHS;
            if (!given("--lr")) lr = Float.parseFloat(INIT_LR);
            if (!given("--unknown-percent")) unknownPercent = INIT_UNKNOWN_PERCENT;
            if (!given("--keep")) keep = "last";
            String ctx = initModel.provenance().get("train.context_frames");
            if (!given("--context-ms") && ctx != null) {  // a continuous model stays continuous
                contextMs = Integer.parseInt(ctx) * 1000.0 * fs.hopLength() / fs.sampleRate();
            }
        }
        try {  // the hidden size is known here (--init's), before any audio is read
            compute().check(hidden);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--compute " + compute + ": " + e.getMessage());
        }
        LabelSet labelSet = labelSet("--labels", labels);
        SpeechCommandsDataset dataset = openDataset();
        checkLabels(labels, labelSet, dataset);
        splitOptions.policy(dataset);  // a split that cannot be made fails here, before anything is read
        java.util.List<SpeechCommandsDataset> extra = new java.util.ArrayList<>();
        for (Path p : addData) extra.add(SpeechCommandsDataset.open(p));
        addSomethingElse(labelSet, dataset, extra);
        // Absolute paths: a data-parallel run's tasks read the recipe from other working folders.
        DataRecipe recipe = new DataRecipe(dataLocation(), extra.stream().map(e -> absolute(e.root())).toList(), labels,
                splitOptions.spec(), unknownPercent, negatives.stream().map(TrainCommand::absolute).toList(),
                background.stream().map(TrainCommand::absolute).toList(), fs.sampleRate(), clipSamples);
        TrainSettings d = TrainSettings.defaults();
        TrainSettings s = new TrainSettings(hidden, layers, epochs, batch, lr, weightDecay, d.clipNorm(), seed,
                threads == null ? d.threads() : threads,
                noAugment ? 0 : d.noiseProbability(), noAugment ? 0 : noiseVolume, noAugment ? 0 : d.shiftSamples(),
                d.silenceFraction(), (float) (unknownPercent / 100), noAugment ? 0 : timeMasks, d.timeMaskWidth(),
                noAugment ? 0 : bandMasks, d.bandMaskWidth(), noAugment ? 0 : speed, ema, keep.equals("best"), labelSmoothing,
                (int) Math.round(contextMs / (1000.0 * fs.hopLength() / fs.sampleRate())),
                negatives.isEmpty() ? null : new NegativeSettings((float) (negativesPercent / 100),
                        (float) (negativeContextPercent / 100), (float) (hardNegativesPercent / 100), mineEvery,
                        hardNegativeWindows),
                wordDraws != null ? wordDraws : initModel != null ? INIT_WORD_DRAWS : 0, noAugment ? 0 : pitch,
                noAugment ? 0 : reverb, compute());
        Path ckpt = Path.of(out + ".ckpt");
        Trained trained = fit(recipe, fs, s, ckpt, initModel);
        Trainer.Result r = trained.result();
        // From here on the run is in the checkpoint: a failure says so, and keeps it.
        try (var model = r.model()) {
            model.save(out, precision());
        } catch (java.io.IOException | RuntimeException e) {
            throw new java.io.IOException("the trained model could not be written to " + out + ": " + Main.describe(e)
                    + "; " + resumeHint(ckpt), e);
        }
        String base = out.getFileName().toString().replaceFirst("\\.earshot$", "");
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("model", out.toString());
        facts.put("data", trained.data());
        facts.put("validation", trained.validation());
        facts.put("labels", String.join(" ", r.labels()));
        facts.put("best validation accuracy", String.format(Locale.ROOT, "%.4f (epoch %d)", r.bestAccuracy(), r.bestEpoch()));
        s.toMap().forEach(facts::put);
        facts.put("features", fs.toString());
        Path report;
        try {
            report = Report.write(out.toAbsolutePath().resolveSibling(base + "-report"), r.history(), r.labels(),
                    r.confusion(), facts);
        } catch (java.io.IOException | RuntimeException e) {
            throw new java.io.IOException("wrote " + out + ", but not its report: " + Main.describe(e) + "; "
                    + resumeHint(ckpt), e);
        }
        String kept = "";
        if (keepCheckpoint) {
            kept = String.format(Locale.ROOT, "; checkpoint %s kept (%.1f MB; only --resume reads it, delete it when done)",
                    ckpt, java.nio.file.Files.size(ckpt) / 1e6);
        } else {
            java.nio.file.Files.deleteIfExists(ckpt);
        }
        System.out.printf(Locale.ROOT, "wrote %s (validation accuracy %.4f at epoch %d); report %s%s%n", out,
                r.bestAccuracy(), r.bestEpoch(), report, kept);
        return 0;
    }
}
