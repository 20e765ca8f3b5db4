package dev.earshot.app;

import dev.earshot.api.KeywordModel;
import dev.earshot.audio.FeatureSettings;
import dev.earshot.spark.SparkJobs;
import dev.earshot.spark.SparkTrain;
import dev.earshot.training.DataRecipe;
import dev.earshot.training.History;
import dev.earshot.training.TrainSettings;
import dev.earshot.training.Trainer;
import java.nio.file.Path;
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
                        + "see. A failed task makes Spark re-run the stage, which resumes from the checkpoint."})
final class SparkTrainCommand extends TrainCommand {
    @picocli.CommandLine.Mixin
    SparkOptions spark = new SparkOptions();
    @Option(names = "--workers", paramLabel = "N", description = "replicas, one task each (default: the cluster's "
            + "cores: 2 on local-cluster[2,1,…]); the cluster needs N free task slots at once")
    Integer workers;

    @Override
    Trained fit(DataRecipe recipe, FeatureSettings fs, TrainSettings s, Path ckpt, KeywordModel initModel)
            throws Exception {
        if (workers != null) Options.atLeast("--workers", workers, 1);
        // One native thread per task: a task has one core unless spark.task.cpus says more.
        if (threads == null) s = s.withThreads(1);
        SparkTrain.Job job = new SparkTrain.Job(recipe, s, fs.toMap(), absolute(ckpt), resume, spec(init),
                spec(mineWith), 0, null);
        long t0 = System.nanoTime();
        try (SparkJobs jobs = spark.connect("earshot train")) {
            int n = jobs.awaitSlots(workers, 120_000);
            System.err.printf(Locale.ROOT, "training on Spark: %d replicas of a GRU %dx%d, batch %d (%s clips each per "
                    + "step)%n", n, s.layers(), s.hidden(), s.batch(), n > s.batch() ? "0-1" : s.batch() / n + "-" + (s.batch() + n - 1) / n);
            SparkTrain.Outcome o = jobs.train(job, n);
            History h = new History();
            o.history().forEach(h::add);
            KeywordModel m = KeywordModel.load(new java.io.ByteArrayInputStream(o.model()), "the trained model");
            System.err.printf(Locale.ROOT, "trained in %.1f s on %d replicas (%d attempt%s)%n", (System.nanoTime() - t0) / 1e9,
                    n, o.attempts(), o.attempts() == 1 ? "" : "s");
            return new Trained(new Trainer.Result(m, h, o.bestAccuracy(), o.bestEpoch(), o.confusion(), o.labels()),
                    o.data(), o.validation());
        }
    }

    /** A model spec every executor can open: a bundled name as it is, a file as an absolute path. */
    private static String spec(String model) {
        if (model == null || KeywordModel.resourceOf(model) != null) return model;
        return absolute(Path.of(model));
    }
}
