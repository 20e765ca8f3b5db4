package dev.earshot.spark;

import dev.earshot.audio.FeatureSettings;
import dev.earshot.audio.Mfcc;
import dev.earshot.audio.WavReader;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.apache.spark.sql.types.StructType;

/**
 * MFCC frames of many files on Spark, as training computes them: each file decoded and resampled to the settings'
 * rate, cut or padded to one clip, then {@link Mfcc#compute} (with the settings' normalization, when they come from a
 * model). A file that cannot be read gets a row with the error and no frames.
 */
public final class SparkFeaturize {
    private SparkFeaturize() {}

    /** A file to featurize: its path (local, or a URI Hadoop reads), and its label and speaker or null. */
    public record Item(String path, String label, String speaker) implements Serializable {}

    /** The rows: the input's order, its columns, the frames [frames × coefficients] row-major, or the error. */
    public static final StructType SCHEMA = new StructType()
            .add("index", DataTypes.LongType, false)
            .add("path", DataTypes.StringType, false)
            .add("label", DataTypes.StringType, true)
            .add("speaker", DataTypes.StringType, true)
            .add("frames", DataTypes.IntegerType, true)
            .add("coefficients", DataTypes.IntegerType, true)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), true)
            .add("error", DataTypes.StringType, true);

    public static Dataset<Row> run(SparkSession spark, List<Item> items, FeatureSettings settings, int clipSamples,
                                   int partitions) {
        if (clipSamples < 1) throw new IllegalArgumentException("clipSamples must be at least 1, not " + clipSamples);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Map<String, String> fs = new java.util.TreeMap<>(settings.toMap());
        List<scala.Tuple2<Long, Item>> indexed = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) indexed.add(new scala.Tuple2<>((long) i, items.get(i)));
        JavaRDD<Row> rows = sc.parallelize(indexed, Math.max(1, Math.min(partitions, Math.max(1, items.size()))))
                .mapPartitions(it -> featurize(fs, clipSamples, it));
        return spark.createDataFrame(rows, SCHEMA);
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
                float[] clip = Arrays.copyOf(pcm, clipSamples);  // cut or zero-padded, as training reads clips
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
