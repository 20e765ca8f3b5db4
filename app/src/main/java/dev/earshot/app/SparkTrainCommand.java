package dev.earshot.app;

import dev.earshot.api.KeywordModel;
import dev.earshot.audio.FeatureSettings;
import dev.earshot.datasets.LabelSet;
import dev.earshot.datasets.SpeechCommandsDataset;
import dev.earshot.spark.SparkFeaturize;
import dev.earshot.spark.SparkJobs;
import dev.earshot.spark.SparkTrain;
import dev.earshot.training.DataRecipe;
import dev.earshot.training.History;
import dev.earshot.training.TrainSettings;
import dev.earshot.training.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code earshot spark train}: {@code train}'s options and outputs, trained by data-parallel replicas in one
 * barrier stage of a Spark job (see {@link SparkTrain}).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train as 'earshot train' does (the same options, model and report), on Spark: --workers tasks "
                + "of one barrier stage each train a replica, and every step they average their gradients with a "
                + "ring all-reduce over TCP, so the model is one machine's with the same --batch.",
                "Every executor reads the data itself: --data, --validation-list, --negatives, --background and "
                        + "the checkpoint (<out>.ckpt, written by replica 0 each epoch) must be on storage all of them "
                        + "see. A failed task makes Spark re-run the stage, which resumes from the checkpoint.",
                "--features TABLE trains on a table of MFCC frames made by 'earshot spark featurize' instead of audio: "
                        + "the table's feature settings, and no augmentation (frames have no audio to add noise to)."})
final class SparkTrainCommand extends TrainCommand {
    @picocli.CommandLine.Mixin
    SparkOptions spark = new SparkOptions();
    @Option(names = "--workers", paramLabel = "N", description = "replicas, one task each (default: the cluster's "
            + "cores: 2 on local-cluster[2,1,…]); the cluster needs N free task slots at once")
    Integer workers;
    @Option(names = "--features", paramLabel = "TABLE", description = "instead of --data or --manifest: a Parquet "
            + "table of labelled frames from 'spark featurize' (without --model), on storage every executor sees")
    String table;

    /** With --features: the session, opened to read the table before training, and what the table holds. */
    private SparkJobs jobs;
    private SparkFeaturize.Index index;
    /** What frames cannot have: options that work on audio. */
    static final String[] NEED_AUDIO = {"--add-data", "--negatives", "--background", "--speed", "--pitch", "--reverb",
            "--noise-volume", "--time-masks", "--band-masks", "--context-ms", "--init", "--mine-with"};
    /** What the table's frames were made with. */
    static final String[] SET_BY_TABLE = {"--win-ms", "--hop-ms", "--mels", "--mfcc"};

    @Override
    public Integer call() throws Exception {
        if (table == null) return super.call();
        for (String o : NEED_AUDIO) {
            if (given(o)) throw new IllegalArgumentException(o + " cannot go with --features: a table of frames has no audio");
        }
        for (String o : SET_BY_TABLE) {
            if (given(o)) throw new IllegalArgumentException(o + " comes with --features' table; leave it out");
        }
        if (!table.contains("://")) {
            Options.inputFolder("--features", Path.of(table));
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(Path.of(table))) {
                if (files.noneMatch(f -> f.getFileName().toString().endsWith(".parquet"))) {
                    throw new IllegalArgumentException("--features " + table + ": holds no .parquet files (make the "
                            + "table with 'earshot spark featurize')");
                }
            }
        }
        noAugment = true;
        try (SparkJobs opened = spark.connect("earshot train")) {
            jobs = opened;
            index = jobs.framesTable(table);
            return super.call();
        } finally {
            jobs = null;
        }
    }

    @Override
    void checkSource() {
        if (table == null) {
            super.checkSource();
        } else if (data != null || manifest != null) {
            throw new IllegalArgumentException("--features TABLE replaces --data and --manifest: give one of them");
        }
    }

    @Override
    SpeechCommandsDataset openDataset() throws java.io.IOException {
        return table == null ? super.openDataset() : SpeechCommandsDataset.ofFeaturized(Path.of(table), index.rows());
    }

    @Override
    String dataLocation() {
        return table == null ? super.dataLocation() : table;
    }

    @Override
    FeatureSettings featureSettings(KeywordModel initModel) {
        return table == null ? super.featureSettings(initModel) : FeatureSettings.fromMap(index.features());
    }

    @Override
    int clipSamples(KeywordModel initModel, FeatureSettings fs) {
        return table == null ? super.clipSamples(initModel, fs) : index.clipSamples();
    }

    @Override
    void addSomethingElse(LabelSet labelSet, SpeechCommandsDataset dataset, List<SpeechCommandsDataset> extra)
            throws java.io.IOException {
        if (table == null) {
            super.addSomethingElse(labelSet, dataset, extra);
            return;
        }
        if (dataset.words().stream().anyMatch(w -> !labelSet.words().contains(w) && !w.equals(LabelSet.SILENCE))) return;
        throw new IllegalArgumentException("--features " + table + " holds no words but --labels' (" + String.join(", ",
                labelSet.words()) + "): the model would not learn what is not a target word; featurize other words "
                + "into the table too");
    }

    @Override
    Trained fit(DataRecipe recipe, FeatureSettings fs, TrainSettings s, Path ckpt, KeywordModel initModel)
            throws Exception {
        if (workers != null) Options.atLeast("--workers", workers, 1);
        // One native thread per task: a task has one core unless spark.task.cpus says more.
        if (threads == null) s = s.withThreads(1);
        SparkTrain.Job job = new SparkTrain.Job(recipe, s, fs.toMap(), absolute(ckpt), resume, spec(init),
                spec(mineWith), 0, null, table);
        if (jobs != null) return fit(jobs, job, s);
        try (SparkJobs opened = spark.connect("earshot train")) {
            return fit(opened, job, s);
        }
    }

    private Trained fit(SparkJobs jobs, SparkTrain.Job job, TrainSettings s) throws Exception {
        long t0 = System.nanoTime();
        int n = jobs.awaitSlots(workers, 120_000);
        System.err.printf(Locale.ROOT, "training on Spark: %d replicas of a GRU %dx%d, batch %d (%s clips each per "
                + "step)%n", n, s.layers(), s.hidden(), s.batch(), n > s.batch() ? "0-1" : s.batch() / n + "-" + (s.batch() + n - 1) / n);
        SparkTrain.Outcome o = jobs.train(job, n, index);  // the table's index as read to check the labels
        History h = new History();
        o.history().forEach(h::add);
        KeywordModel m = KeywordModel.load(new java.io.ByteArrayInputStream(o.model()), "the trained model");
        System.err.printf(Locale.ROOT, "trained in %.1f s on %d replicas (%d attempt%s)%n", (System.nanoTime() - t0) / 1e9,
                n, o.attempts(), o.attempts() == 1 ? "" : "s");
        return new Trained(new Trainer.Result(m, h, o.bestAccuracy(), o.bestEpoch(), o.confusion(), o.labels()),
                o.data(), o.validation());
    }

    /** A model spec every executor can open: a bundled name as it is, a file as an absolute path. */
    private static String spec(String model) {
        if (model == null || KeywordModel.resourceOf(model) != null) return model;
        return absolute(Path.of(model));
    }
}
