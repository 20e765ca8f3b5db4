package dev.earshot.spark;

import dev.earshot.api.KeywordModel;
import dev.earshot.api.ModelFile;
import dev.earshot.audio.FeatureSettings;
import dev.earshot.training.DataLoader;
import dev.earshot.training.DataRecipe;
import dev.earshot.training.History;
import dev.earshot.training.TrainSettings;
import dev.earshot.training.Trainer;
import dev.earshot.training.TrainingData;
import dev.earshot.training.TrainingListener;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;

/**
 * Data-parallel training on Spark: one barrier stage of {@code workers} tasks, each a replica of the same
 * {@link Trainer} and the same draws, holding the audio of its shard of the training clips (read by the task itself
 * from a folder all executors see). Each step a replica makes the batch rows of its own clips, the replicas sum the
 * batch, each computes the gradients of its share of the rows, and they sum those with a {@link RingAllReduce} over
 * TCP, whose addresses are exchanged once through {@link BarrierTaskContext#allGather}. Every replica applies the same
 * update, so they stay bit-identical (checked after each epoch), and the model is one machine's with the same batch
 * up to the order of float sums.
 *
 * <p>On a table of frames ({@link Job#table}, made by {@link SparkFeaturize}) no task reads audio: the driver plans the
 * split from the table's paths and labels, the rows go through a shuffle to the replicas that hold them, and the
 * barrier stage runs on that shuffle's output.
 *
 * <p>Replica 0 writes the checkpoint each epoch, to {@link Job#checkpoint} (on storage every executor sees). When a
 * task fails Spark re-runs the whole stage (a shuffle follows it, so it is not the job's result stage), and the new
 * attempt resumes from that checkpoint: the finished model is the one an uninterrupted run makes, to the bit.
 */
public final class SparkTrain {
    private SparkTrain() {}

    /**
     * Everything a task needs to load the data and train, sent to the executors.
     *
     * @param data       where the data is and how it is split; its folders must be readable by every executor
     * @param features   the feature settings ({@link FeatureSettings#toMap})
     * @param checkpoint where replica 0 writes the checkpoint after each epoch (storage every executor sees)
     * @param resume     continue from the checkpoint (a new attempt of the stage always does)
     * @param init       a model to start from (transfer learning: default, windows or a file every executor reads),
     *                   or null
     * @param mineWith   a model to mine the hard negatives with once, or null
     * @param failOnce   for tests of recovery: replica 1 of the stage's first attempt fails after this epoch (0: never)
     * @param progress   "host:port" of the driver's {@link ProgressLines}, or null for the executor's log
     * @param table      a table of MFCC frames ({@link SparkFeaturize}) to train on instead of the audio of
     *                   {@code data}'s folder, or null; {@code data} then gives the labels and the split, and
     *                   {@code features} must be the table's
     */
    public record Job(DataRecipe data, TrainSettings settings, Map<String, String> features, String checkpoint,
                      boolean resume, String init, String mineWith, int failOnce, String progress, String table)
            implements Serializable {
        /** A job on the audio of {@code data}'s folders. */
        public Job(DataRecipe data, TrainSettings settings, Map<String, String> features, String checkpoint,
                   boolean resume, String init, String mineWith, int failOnce, String progress) {
            this(data, settings, features, checkpoint, resume, init, mineWith, failOnce, progress, null);
        }

        /** The same job with replica 0's progress lines sent to {@code address} ({@link ProgressLines}). */
        public Job reportingTo(String address) {
            return new Job(data, settings, features, checkpoint, resume, init, mineWith, failOnce, address, table);
        }

        /** The same job on the frames of {@code table} (made by {@link SparkFeaturize}) instead of audio. */
        public Job onFrames(String table) {
            return new Job(data, settings, features, checkpoint, resume, init, mineWith, failOnce, progress, table);
        }

        public Job {
            features = new java.util.TreeMap<>(features);
        }
    }

    /** What the driver gets back: replica 0's model file (float32), its history and what it trained on. */
    public record Outcome(byte[] model, List<History.Epoch> history, double bestAccuracy, int bestEpoch,
                          int[][] confusion, List<String> labels, String data, String validation, int attempts)
            implements Serializable {}

    /** Trains {@code job} on {@code workers} tasks of one barrier stage (the cluster needs that many free slots). */
    public static Outcome run(SparkSession spark, Job job, int workers) {
        return run(spark, job, workers, null);
    }

    /**
     * {@link #run(SparkSession, Job, int)} with the {@link SparkFeaturize#index} of the job's table read already (by
     * the caller, to check its labels and split), so that the driver does not collect its rows twice; null: read it.
     */
    public static Outcome run(SparkSession spark, Job job, int workers, SparkFeaturize.Index index) {
        if (workers < 1) throw new IllegalArgumentException("workers must be at least 1, not " + workers);
        if (job.progress() == null) {
            String host = spark.sparkContext().getConf().get("spark.driver.host", "127.0.0.1");
            try (ProgressLines p = ProgressLines.listen(host, System.err::println)) {
                return run(spark, job.reportingTo(p.address()), workers, index);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot listen for progress on " + host, e);
            }
        }
        // The shuffle after the barrier stage lets Spark retry the stage when a task fails (a barrier result stage
        // is never retried).
        JavaRDD<Outcome> models;
        if (job.table() == null) {
            models = BarrierStage.of(spark, workers, Outcome.class, ctx -> replica(job, null, ctx, null));
        } else {
            if (index == null || !index.table().equals(job.table())) index = SparkFeaturize.index(spark, job.table());
            if (!FeatureSettings.fromMap(index.features()).equals(FeatureSettings.fromMap(job.features()))
                    || index.clipSamples() != job.data().clipSamples()) {
                throw new IllegalArgumentException(job.table() + ": its frames were made with " + index.features()
                        + " on clips of " + index.clipSamples() + " samples, not the job's " + job.features() + " on "
                        + job.data().clipSamples());
            }
            SparkFeaturize.Index read = index;
            models = BarrierStage.of(routed(spark, job, read, workers), Outcome.class,
                    (ctx, rows) -> replica(job, read, ctx, rows));
        }
        List<Outcome> out = models.repartition(1).collect();
        if (out.size() != 1) throw new IllegalStateException("expected one model from replica 0, got " + out.size());
        return out.get(0);
    }

    /** A clip's frames, sent to the replica that holds the clip (every replica, for a validation clip). */
    record Frames(String clip, float[] frames) implements Serializable {}

    /**
     * The table's frames, partition r holding those replica r needs: its shard of the training clips (clip i of the
     * plan's training list when i mod workers = r, as {@link dev.earshot.training.DataLoader} shards audio) and
     * every validation clip. The plan is made here as each replica makes it, from the table's index.
     */
    private static JavaRDD<Frames> routed(SparkSession spark, Job job, SparkFeaturize.Index index, int workers) {
        DataLoader.Plan plan;
        try {
            plan = job.data().plan(table(index));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        java.util.HashMap<String, Integer> owner = new java.util.HashMap<>();  // clip → replica, or -1: all of them
        for (int i = 0; i < plan.train().size(); i++) owner.put(plan.train().get(i).file().toString(), i % workers);
        for (dev.earshot.datasets.DataIndex.Entry e : plan.validation()) {
            if (!e.generatedSilence()) owner.put(e.clip().file().toString(), -1);
        }
        org.apache.spark.broadcast.Broadcast<java.util.HashMap<String, Integer>> owners =
                org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(owner);
        return spark.read().parquet(job.table()).select("path", "features").javaRDD()
                .flatMapToPair(row -> {
                    String clip = Path.of(row.getString(0)).toString();
                    Integer o = owners.value().get(clip);
                    List<scala.Tuple2<Integer, Frames>> to = new java.util.ArrayList<>();
                    if (o == null) return to.iterator();  // in no split (e.g. testing)
                    List<Float> values = row.getList(1);
                    float[] f = new float[values.size()];
                    for (int k = 0; k < f.length; k++) f[k] = values.get(k);
                    for (int r = 0; r < workers; r++) if (o == r || o < 0) to.add(new scala.Tuple2<>(r, new Frames(clip, f)));
                    return to.iterator();
                })
                .partitionBy(new org.apache.spark.HashPartitioner(workers))  // key r lands in partition r
                .values();
    }

    private static dev.earshot.datasets.SpeechCommandsDataset table(SparkFeaturize.Index index) throws IOException {
        return dev.earshot.datasets.SpeechCommandsDataset.ofFeaturized(Path.of(index.table()), index.rows());
    }

    /**
     * One task of the barrier stage: a replica, ring-linked to the others, reading its shard of the audio itself, or,
     * given a table's index, taking its frames from {@code rows}.
     */
    private static Iterator<Outcome> replica(Job job, SparkFeaturize.Index index, BarrierTaskContext ctx,
                                             Iterator<Frames> rows) throws IOException {
        int rank = ctx.partitionId(), size = ctx.getTaskInfos().length;
        try (RingAllReduce ring = BarrierStage.ring(ctx, 120_000)) {
            TrainingData td;
            if (index == null) {
                td = job.data().load(System.err, rank, size);  // the audio of its shard of the clips
            } else {
                Map<String, float[]> frames = new java.util.HashMap<>();
                rows.forEachRemaining(f -> frames.put(f.clip(), f.frames()));
                td = job.data().load(job.data().plan(table(index)), c -> frames.get(c.file().toString()), rank, size);
            }
            FeatureSettings fs = FeatureSettings.fromMap(job.features());
            boolean resume = job.resume() || ctx.stageAttemptNumber() > 0;
            int attempt = ctx.stageAttemptNumber();
            java.io.PrintWriter lines = rank == 0 ? ProgressLines.connect(job.progress()) : null;
            TrainingListener listener = new TrainingListener() {
                @Override
                public void message(String line) {
                    if (lines != null) lines.println(line);
                }

                @Override
                public void epoch(History.Epoch e, int epochs, double best, int bestEpoch) {
                    if (lines != null) lines.println(TrainingListener.epochLine(e, epochs, best, bestEpoch));
                    if (job.failOnce() == e.epoch() && rank == 1 && attempt == 0) {
                        throw new IllegalStateException("replica 1 fails after epoch " + e.epoch() + " (failOnce, a test of recovery)");
                    }
                }
            };
            Trainer trainer = new Trainer(td, fs, job.data().clipSamples(), job.settings(), Path.of(job.checkpoint()),
                    resume, null, listener).dataParallel(ring).provenance("earshot", "0.1.0");
            Trainer.Result r;
            try (java.io.PrintWriter closing = lines;
                 KeywordModel init = job.init() == null ? null : KeywordModel.open(job.init());
                 KeywordModel miner = job.mineWith() == null ? null : KeywordModel.open(job.mineWith())) {
                if (init != null) trainer.startFrom(init, job.init());
                if (miner != null) trainer.mineWith(miner, job.mineWith());
                r = trainer.run();
            }
            try (KeywordModel m = r.model()) {
                if (rank != 0) return java.util.Collections.emptyIterator();
                return List.of(new Outcome(ModelFile.encode(m.contents()), r.history().epochs(), r.bestAccuracy(),
                        r.bestEpoch(), r.confusion(), r.labels(), td.description(), DataLoader.describe(td), attempt + 1))
                        .iterator();
            }
        }
    }

}
