package dev.earshot.spark;

import dev.earshot.audio.FeatureSettings;
import dev.earshot.audio.Mfcc;
import dev.earshot.audio.WavReader;
import dev.earshot.datasets.Manifest;
import dev.earshot.training.Example;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * MFCC frames of many files on Spark, as training computes them: each file decoded and resampled to the settings'
 * rate, held as 16-bit samples, cut or padded to one clip, then {@link Mfcc#compute} (with the settings'
 * normalization, when they come from a model). A file that cannot be read gets a row with the error and no frames.
 *
 * <p>The table says how it was made: the {@code features} column's metadata holds the feature settings
 * ({@value #SETTING}{@code <key>}, as {@link FeatureSettings#toMap}) and the clip length ({@value #CLIP_SAMPLES}), and
 * Parquet keeps it, so that training reads the frames with the settings they were made with ({@link #index}).
 */
public final class SparkFeaturize {
    private SparkFeaturize() {}

    /** A file to featurize: its path (local, or a URI Hadoop reads), and its label and speaker or null. */
    public record Item(String path, String label, String speaker) implements Serializable {}

    /** Metadata keys of the {@code features} column: a feature setting's key follows the prefix. */
    public static final String SETTING = "earshot.features.", CLIP_SAMPLES = "earshot.clip_samples";

    /**
     * The rows: the input's order, its columns, the frames [frames × coefficients] row-major, or the error; the
     * settings in the features column's metadata.
     */
    public static StructType schema(FeatureSettings settings, int clipSamples) {
        MetadataBuilder made = new MetadataBuilder().putLong(CLIP_SAMPLES, clipSamples);
        settings.toMap().forEach((k, v) -> made.putString(SETTING + k, v));
        return new StructType()
                .add("index", DataTypes.LongType, false)
                .add("path", DataTypes.StringType, false)
                .add("label", DataTypes.StringType, true)
                .add("speaker", DataTypes.StringType, true)
                .add("frames", DataTypes.IntegerType, true)
                .add("coefficients", DataTypes.IntegerType, true)
                .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), true, made.build())
                .add("error", DataTypes.StringType, true);
    }

    /**
     * What a table of frames holds, read on the driver without the frames: the settings it was made with, and its
     * rows' path, label and speaker (for training: every row must have a label and frames).
     */
    public record Index(String table, Map<String, String> features, int clipSamples, List<Manifest.Entry> rows)
            implements Serializable {}

    /**
     * Reads {@code table}'s {@link Index}, refusing a table that {@code spark featurize} did not make, one made with a
     * model's normalization (training normalizes raw frames itself), and rows without a label or frames (naming
     * the first few).
     */
    public static Index index(SparkSession spark, String table) {
        Dataset<Row> df = spark.read().parquet(table);
        StructField f = java.util.Arrays.stream(df.schema().fields()).filter(x -> x.name().equals("features"))
                .findFirst().orElse(null);
        if (f == null || !f.metadata().contains(CLIP_SAMPLES)) {
            throw new IllegalArgumentException(table + ": not a table of frames made by 'earshot spark featurize' "
                    + "(its features column does not record the settings it was made with)");
        }
        Map<String, String> settings = new java.util.TreeMap<>();
        java.util.Set<String> keys = new java.util.TreeSet<>(FeatureSettings.defaults().toMap().keySet());
        keys.add("norm_mean");  // present when the settings are a model's
        for (String k : keys) {
            if (f.metadata().contains(SETTING + k)) settings.put(k, f.metadata().getString(SETTING + k));
        }
        if (settings.containsKey("norm_mean")) {
            throw new IllegalArgumentException(table + ": its frames were normalized for a model (featurized with "
                    + "--model): training needs the raw frames; featurize without --model, with the feature options");
        }
        List<Row> bad = df.filter("features IS NULL OR label IS NULL").select("path", "label", "error").limit(4)
                .collectAsList();
        if (!bad.isEmpty()) {
            long n = df.filter("features IS NULL OR label IS NULL").count();
            StringBuilder b = new StringBuilder();
            for (Row r : bad.subList(0, Math.min(3, bad.size()))) {
                b.append("; ").append(r.getString(0)).append(": ")
                        .append(r.isNullAt(1) ? "no label" : "no frames (" + r.getString(2) + ")");
            }
            throw new IllegalArgumentException(table + ": " + n + " row" + (n == 1 ? "" : "s") + " cannot train" + b
                    + (n > 3 ? "; …" : "") + " (featurize a manifest of labelled, readable files)");
        }
        List<Manifest.Entry> rows = new ArrayList<>();
        for (Row r : df.select("path", "label", "speaker").collectAsList()) {
            rows.add(new Manifest.Entry(r.getString(0), r.getString(1), r.isNullAt(2) ? null : r.getString(2)));
        }
        if (rows.isEmpty()) throw new IllegalArgumentException(table + ": no rows");
        return new Index(table, settings, (int) f.metadata().getLong(CLIP_SAMPLES), rows);
    }

    public static Dataset<Row> run(SparkSession spark, List<Item> items, FeatureSettings settings, int clipSamples,
                                   int partitions) {
        if (clipSamples < 1) throw new IllegalArgumentException("clipSamples must be at least 1, not " + clipSamples);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Map<String, String> fs = new java.util.TreeMap<>(settings.toMap());
        List<scala.Tuple2<Long, Item>> indexed = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) indexed.add(new scala.Tuple2<>((long) i, items.get(i)));
        JavaRDD<Row> rows = sc.parallelize(indexed, Math.max(1, Math.min(partitions, Math.max(1, items.size()))))
                .mapPartitions(it -> featurize(fs, clipSamples, it));
        return spark.createDataFrame(rows, schema(settings, clipSamples));
    }

    private static Iterator<Row> featurize(Map<String, String> settings, int clipSamples,
                                           Iterator<scala.Tuple2<Long, Item>> it) {
        Mfcc mfcc = new Mfcc(FeatureSettings.fromMap(settings));
        int frames = mfcc.frameCount(clipSamples), c = mfcc.coefficients();
        List<Row> out = new ArrayList<>();
        while (it.hasNext()) {
            scala.Tuple2<Long, Item> t = it.next();
            Item item = t._2();
            try {
                float[] pcm = WavReader.decode(SparkRecognize.read(item.path()), item.path(),
                        mfcc.settings().sampleRate()).samples();
                short[] held = Example.quantize(pcm, clipSamples);  // cut or zero-padded, as training holds clips
                float[] clip = new float[clipSamples];
                for (int i = 0; i < clipSamples; i++) clip[i] = held[i] / 32768f;
                float[] f = new float[frames * c];
                mfcc.compute(clip, 0, clipSamples, f, 0);
                Float[] boxed = new Float[f.length];
                for (int i = 0; i < f.length; i++) boxed[i] = f[i];
                out.add(RowFactory.create(t._1(), item.path(), item.label(), item.speaker(), frames, c, boxed, null));
            } catch (IOException | RuntimeException e) {
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                out.add(RowFactory.create(t._1(), item.path(), item.label(), item.speaker(), null, null, null, why));
            }
        }
        return out.iterator();
    }
}
