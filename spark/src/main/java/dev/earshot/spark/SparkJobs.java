package dev.earshot.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark jobs behind {@code earshot spark …}, with nothing of Spark in their signatures, so the command line
 * compiles without Spark and loads it only when a Spark command runs. One session per JVM, as Spark allows.
 */
public final class SparkJobs implements AutoCloseable {
    private final SparkSession spark;

    private SparkJobs(SparkSession spark) {
        this.spark = spark;
    }

    /**
     * Starts (or joins) the session.
     *
     * @param master local[N], local-cluster[workers,cores,MB], spark://host:port, …; null when spark-submit gave one
     * @param conf   more Spark settings (--conf K=V)
     */
    public static SparkJobs connect(String master, String appName, Map<String, String> conf) throws IOException {
        if (master == null && System.getProperty("spark.master") == null) {  // spark-submit sets the property
            throw new IllegalArgumentException("--master is needed (local[2], local-cluster[2,1,1024], spark://host:7077, "
                    + "…) unless spark-submit gives one");
        }
        SparkConf c = new SparkConf().setAppName(appName);
        if (master != null) c.setMaster(master);
        conf.forEach(c::set);
        c.setIfMissing("spark.ui.showConsoleProgress", "false");
        c.setIfMissing("spark.executorEnv.OPENBLAS_NUM_THREADS", "1");
        String m = c.get("spark.master");
        if (m.startsWith("local-cluster")) {
            // Executors of a local cluster are started by this machine's worker with no Earshot or Spark on their
            // class path but what they are given: this JVM's own.
            c.setIfMissing("spark.executor.extraClassPath", System.getProperty("java.class.path"));
            String home = System.getenv("SPARK_HOME");
            if (home == null || !Files.isDirectory(Path.of(home, "jars"))) {
                throw new IllegalArgumentException("--master " + m + " needs SPARK_HOME set to a folder with a jars/ "
                        + "folder in it (./earshot spark sets one up)");
            }
        }
        try {
            return new SparkJobs(SparkSession.builder().config(c).getOrCreate());
        } catch (RuntimeException e) {
            throw new IOException("Spark did not start with --master " + m + ": " + rootMessage(e), e);
        }
    }

    /** The slots the cluster offers now (cores over all executors, or N of local[N]). */
    public int defaultParallelism() {
        return spark.sparkContext().defaultParallelism();
    }

    /**
     * The task slots to train on, once the cluster offers them: {@code wanted} if given (waiting up to
     * {@code timeoutMillis} for the executors to register, which on a local cluster takes a few seconds), else N of
     * local[N], workers × cores of local-cluster[workers,cores,MB], or the cores registered so far elsewhere.
     */
    public int awaitSlots(Integer wanted, long timeoutMillis) throws IOException {
        var sc = spark.sparkContext();
        if (sc.isLocal()) return wanted != null ? wanted : sc.defaultParallelism();
        int want = wanted != null ? wanted : 1;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,.*")
                .matcher(sc.master());
        if (wanted == null && m.matches()) want = Integer.parseInt(m.group(1)) * Integer.parseInt(m.group(2));
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (sc.getExecutorMemoryStatus().size() <= 1 || sc.defaultParallelism() < want) {
            if (System.currentTimeMillis() > deadline) {
                throw new IOException(String.format(java.util.Locale.ROOT, "the cluster offers %d task slots after %d s, "
                        + "%d are needed (executors registered: %d; a local cluster's logs are under $SPARK_HOME/work)",
                        sc.getExecutorMemoryStatus().size() <= 1 ? 0 : sc.defaultParallelism(), timeoutMillis / 1000, want,
                        sc.getExecutorMemoryStatus().size() - 1));
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for executors");
            }
        }
        return wanted != null ? wanted : Math.max(want, sc.defaultParallelism());
    }

    /** {@link SparkTrain#run}; a failed job comes back as an IOException with its first cause's message. */
    public SparkTrain.Outcome train(SparkTrain.Job job, int workers) throws IOException {
        return train(job, workers, null);
    }

    /** {@link #train(SparkTrain.Job, int)} with its table's index read already ({@link #framesTable}), or null. */
    public SparkTrain.Outcome train(SparkTrain.Job job, int workers, SparkFeaturize.Index index) throws IOException {
        try {
            return SparkTrain.run(spark, job, workers, index);
        } catch (RuntimeException e) {
            throw new IOException("the training job failed: " + rootMessage(e), e);
        }
    }

    /** {@link SparkFeaturize#index}: what a table of frames holds (settings, paths, labels), read without the frames. */
    public SparkFeaturize.Index framesTable(String table) {
        try {
            return SparkFeaturize.index(spark, table);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {  // Spark's AnalysisException (no such folder, not Parquet) is not a RuntimeException
            throw new IllegalArgumentException(table + ": not readable as a Parquet table: " + rootMessage(e), e);
        }
    }

    /** {@link AllReduceBench#run} on {@code workers} tasks. */
    public AllReduceBench.Times allReduceBench(int workers, int floats, int warmup, int rounds) throws IOException {
        try {
            return AllReduceBench.run(spark, workers, floats, warmup, rounds);
        } catch (RuntimeException e) {
            throw new IOException("the all-reduce benchmark failed: " + rootMessage(e), e);
        }
    }

    /** How many rows a job wrote, and how many of them name an unreadable file. */
    public record Written(long rows, long errors) {}

    /**
     * {@link SparkRecognize#run} written to {@code out} (a new folder: one part file per partition, the rows of each in
     * the manifest's order) as csv (with a header) or parquet.
     */
    public Written recognize(byte[] model, List<String> paths, int top, int partitions, String out, String format)
            throws IOException {
        return write("recognition", () -> SparkRecognize.run(spark, model, paths, top, partitions), out, format);
    }

    /**
     * {@link SparkFeaturize#run} written to {@code out} (a new folder) as parquet: one row per file in the input's
     * order within each part, the frames as an array of floats.
     *
     * @param items (path, label, speaker) triples, label and speaker may be null
     */
    public Written featurize(List<String[]> items, Map<String, String> features, int clipSamples, int partitions,
                             String out) throws IOException {
        List<SparkFeaturize.Item> in = items.stream().map(i -> new SparkFeaturize.Item(i[0], i[1], i[2])).toList();
        return write("featurize", () -> SparkFeaturize.run(spark, in, dev.earshot.audio.FeatureSettings.fromMap(features),
                clipSamples, partitions), out, "parquet");
    }

    /** Runs a job's rows once (cached), writes them without their index, and counts them and their errors. */
    private static Written write(String job, java.util.function.Supplier<Dataset<Row>> make, String out, String format)
            throws IOException {
        try {
            Dataset<Row> rows = make.get().drop("index").cache();
            var w = rows.write().mode("errorifexists");
            if (format.equals("csv")) w.option("header", "true").csv(out);
            else w.parquet(out);
            long errors = rows.filter("error IS NOT NULL").count();
            long n = rows.count();
            rows.unpersist();
            return new Written(n, errors);
        } catch (RuntimeException e) {
            throw new IOException("the " + job + " job failed: " + rootMessage(e), e);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    @Override
    public void close() {
        spark.stop();
    }
}
