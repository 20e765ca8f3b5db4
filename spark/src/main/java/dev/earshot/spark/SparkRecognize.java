package dev.earshot.spark;

import dev.earshot.api.KeywordModel;
import dev.earshot.api.Prediction;
import dev.earshot.audio.WavReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * Recognition of many files on Spark: the paths are parallelized in order, each executor JVM opens the model once
 * (sent as bytes with a broadcast) and classifies its files as {@link KeywordModel#classify(float[])} does on one
 * machine. A file that cannot be read gets a row with the error instead of failing the job.
 */
public final class SparkRecognize {
    private SparkRecognize() {}

    /** The rows: the manifest's order, the path, the top label and its confidence, the top k, or the error. */
    public static final StructType SCHEMA = new StructType()
            .add("index", DataTypes.LongType, false)
            .add("path", DataTypes.StringType, false)
            .add("label", DataTypes.StringType, true)
            .add("confidence", DataTypes.FloatType, true)
            .add("top", DataTypes.StringType, true)
            .add("error", DataTypes.StringType, true);

    /** One model per executor JVM, by the SHA-256 of its bytes. */
    private static final Map<String, KeywordModel> MODELS = new ConcurrentHashMap<>();

    /**
     * Classifies {@code paths} (local paths, or URIs of any file system Hadoop reads: hdfs://, s3a://, …) with the
     * model in {@code modelBytes}, in {@code partitions} parts.
     *
     * @param top how many labels the {@code top} column lists ("label:confidence" separated by spaces)
     */
    public static Dataset<Row> run(SparkSession spark, byte[] modelBytes, List<String> paths, int top, int partitions) {
        if (top < 1) throw new IllegalArgumentException("top must be at least 1, not " + top);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String key = sha256(modelBytes);
        Broadcast<byte[]> model = sc.broadcast(modelBytes);
        List<Tuple2<Long, String>> indexed = new ArrayList<>(paths.size());
        for (int i = 0; i < paths.size(); i++) indexed.add(new Tuple2<>((long) i, paths.get(i)));
        JavaRDD<Row> rows = sc.parallelize(indexed, Math.max(1, Math.min(partitions, Math.max(1, paths.size()))))
                .mapPartitions(it -> classify(key, model, top, it));
        return spark.createDataFrame(rows, SCHEMA);
    }

    private static Iterator<Row> classify(String key, Broadcast<byte[]> bytes, int top, Iterator<Tuple2<Long, String>> it)
            throws IOException {
        KeywordModel m = model(key, bytes);
        List<Row> out = new ArrayList<>();
        while (it.hasNext()) {
            Tuple2<Long, String> p = it.next();
            try {
                List<Prediction> ps = m.classify(WavReader.decode(read(p._2()), p._2(), m.sampleRate()).samples());
                StringBuilder t = new StringBuilder();
                for (int k = 0; k < Math.min(top, ps.size()); k++) {
                    if (k > 0) t.append(' ');
                    t.append(ps.get(k).label()).append(':').append(String.format(Locale.ROOT, "%.4f", ps.get(k).confidence()));
                }
                out.add(RowFactory.create(p._1(), p._2(), ps.get(0).label(), ps.get(0).confidence(), t.toString(), null));
            } catch (IOException | RuntimeException e) {
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                out.add(RowFactory.create(p._1(), p._2(), null, null, null, why));
            }
        }
        return out.iterator();
    }

    private static KeywordModel model(String key, Broadcast<byte[]> bytes) throws IOException {
        KeywordModel m = MODELS.get(key);
        if (m != null) return m;
        synchronized (MODELS) {
            m = MODELS.get(key);
            if (m == null) {
                m = KeywordModel.load(new java.io.ByteArrayInputStream(bytes.value()), "model " + key.substring(0, 12));
                MODELS.put(key, m);
            }
            return m;
        }
    }

    /**
     * A file's bytes: local paths (and file: URIs) with java.nio, which is much faster on local or NFS corpora than
     * Hadoop's local file system (a process per file); other schemes through Hadoop's file systems.
     */
    static byte[] read(String path) throws IOException {
        URI u = path.contains("://") ? URI.create(path) : null;
        if (u == null || "file".equals(u.getScheme())) {
            Path p = u == null ? Path.of(path) : Path.of(u);
            return WavReader.readBytes(p, WavReader.DEFAULT_MAX_BYTES);
        }
        org.apache.hadoop.fs.Path hp = new org.apache.hadoop.fs.Path(u);
        org.apache.hadoop.fs.FileSystem fs = hp.getFileSystem(new org.apache.hadoop.conf.Configuration());
        long len = fs.getFileStatus(hp).getLen();
        if (len > WavReader.DEFAULT_MAX_BYTES) throw new IOException(path + ": " + len + " bytes, more than a WAV clip may hold");
        try (InputStream in = fs.open(hp)) {
            return in.readAllBytes();
        }
    }

    static String sha256(byte[] b) {
        try {
            StringBuilder s = new StringBuilder();
            for (byte x : MessageDigest.getInstance("SHA-256").digest(b)) s.append(String.format("%02x", x));
            return s.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
