package dev.earshot.spark;

import dev.earshot.api.KeywordModel;
import dev.earshot.api.ModelFile;
import dev.earshot.audio.FeatureSettings;
import dev.earshot.datasets.LabelSet;
import dev.earshot.datasets.SpeechCommandsDataset;
import dev.earshot.datasets.SplitPolicy;
import dev.earshot.training.DataLoader;
import dev.earshot.training.History;
import dev.earshot.training.TrainSettings;
import dev.earshot.training.Trainer;
import dev.earshot.training.TrainingData;
import dev.earshot.training.TrainingListener;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Data-parallel training on Spark: one barrier stage of {@code workers} tasks, each a replica of the same
 * {@link Trainer} on the same data (read by every task from a folder all executors see) and the same draws. Each step
 * a replica computes the gradients of its share of the batch's rows and the replicas sum them with a
 * {@link RingAllReduce} over TCP, whose addresses are exchanged once through {@link BarrierTaskContext#allGather}.
 * Every replica applies the same update, so they stay bit-identical (checked after each epoch), and the model is one
 * machine's with the same batch up to the order of float sums.
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
     * @param data            a Speech Commands-shaped folder every executor can read
     * @param validationList  the validation clips (word/file.wav per line), or null for the dataset's own split
     * @param labels          12, 35 or a comma-separated word list
     * @param features        the feature settings ({@link FeatureSettings#toMap})
     * @param checkpoint      where replica 0 writes the checkpoint after each epoch (shared storage)
     * @param failOnce        for tests of recovery: replica 1 of the stage's first attempt fails after this epoch
     *                        (0: never)
     */
    public record Job(String data, String validationList, String labels, double unknownPercent, TrainSettings settings,
                      Map<String, String> features, String checkpoint, boolean resume, int failOnce)
            implements Serializable {}

    /** What the driver gets back: replica 0's model file (float32) and its history. */
    public record Outcome(byte[] model, List<History.Epoch> history, double bestAccuracy, int bestEpoch,
                          int[][] confusion, List<String> labels, int attempts) implements Serializable {}

    /** Trains {@code job} on {@code workers} tasks of one barrier stage (the cluster needs that many free slots). */
    public static Outcome run(SparkSession spark, Job job, int workers) {
        if (workers < 1) throw new IllegalArgumentException("workers must be at least 1, not " + workers);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> ranks = new ArrayList<>();
        for (int r = 0; r < workers; r++) ranks.add(r);
        JavaRDD<Integer> slots = sc.parallelize(ranks, workers);
        // The shuffle after the barrier stage lets Spark retry the stage when a task fails (a barrier result stage
        // is never retried).
        scala.Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<Outcome>> task =
                (scala.Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<Outcome>> & Serializable)
                        it -> scala.jdk.javaapi.CollectionConverters.asScala(replica(job));
        JavaRDD<Outcome> models = slots.rdd().barrier().mapPartitions(task, false,
                scala.reflect.ClassTag$.MODULE$.apply(Outcome.class)).toJavaRDD();
        List<Outcome> out = models.repartition(1).collect();
        if (out.size() != 1) throw new IllegalStateException("expected one model from replica 0, got " + out.size());
        return out.get(0);
    }

    /** The job's data, as every replica and a single-machine run read it. */
    public static TrainingData load(Job job) throws IOException {
        SpeechCommandsDataset dataset = SpeechCommandsDataset.open(Path.of(job.data()));
        SplitPolicy policy = job.validationList() != null ? DataLoader.validationList(Path.of(job.validationList()))
                : SplitPolicy.auto(dataset);
        FeatureSettings fs = FeatureSettings.fromMap(job.features());
        return DataLoader.load(dataset, List.of(), LabelSet.parse(job.labels()), policy, job.unknownPercent(),
                fs.sampleRate(), fs.sampleRate());
    }

    /** One task of the barrier stage: a replica, ring-linked to the others. */
    private static Iterator<Outcome> replica(Job job) {
        try {
            return replicaOrThrow(job);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Iterator<Outcome> replicaOrThrow(Job job) throws IOException {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId(), size = ctx.getTaskInfos().length;
        String host = ctx.getTaskInfos()[rank].address();
        if (host.contains(":")) host = host.substring(0, host.lastIndexOf(':'));
        try (RingAllReduce ring = RingAllReduce.listen(rank, size, host, 120_000)) {
            String[] addresses = ctx.allGather(ring.address());
            ring.connect(List.of(addresses));
            TrainingData td = load(job);
            FeatureSettings fs = FeatureSettings.fromMap(job.features());
            boolean resume = job.resume() || ctx.stageAttemptNumber() > 0;
            int attempt = ctx.stageAttemptNumber();
            TrainingListener listener = new TrainingListener() {
                @Override
                public void message(String line) {
                    if (rank == 0) System.err.println("earshot spark train: " + line);
                }

                @Override
                public void epoch(History.Epoch e, int epochs, double best, int bestEpoch) {
                    if (rank == 0) System.err.println("earshot spark train: " + TrainingListener.epochLine(e, epochs, best, bestEpoch));
                    if (job.failOnce() == e.epoch() && rank == 1 && attempt == 0) {
                        throw new IllegalStateException("replica 1 fails after epoch " + e.epoch() + " (failOnce, a test of recovery)");
                    }
                }
            };
            Trainer.Result r = new Trainer(td, fs, fs.sampleRate(), job.settings(), Path.of(job.checkpoint()), resume,
                    null, listener).dataParallel(ring).provenance("earshot", "0.1.0").run();
            try (KeywordModel m = r.model()) {
                if (rank != 0) return java.util.Collections.emptyIterator();
                return List.of(new Outcome(ModelFile.encode(m.contents()), r.history().epochs(), r.bestAccuracy(),
                        r.bestEpoch(), r.confusion(), r.labels(), attempt + 1)).iterator();
            }
        }
    }

}
