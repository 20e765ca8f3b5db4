package dev.earshot.spark;

import dev.earshot.gru.Precision;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.api.KeywordModel;
import dev.earshot.api.ModelFile;
import dev.earshot.api.Prediction;
import dev.earshot.audio.FeatureSettings;
import dev.earshot.datasets.Pcm16Wav;
import dev.earshot.training.DataRecipe;
import dev.earshot.training.TrainSettings;
import dev.earshot.training.Trainer;
import dev.earshot.training.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark jobs on Spark's own {@code local-cluster[2,1,1024]} master: two worker processes, each an executor JVM
 * with one core, so that the all-reduce, the model per executor and the barrier stage's retry are real. The corpus
 * is made here (tones as two words and an unknown one, in the Speech Commands layout).
 */
class SparkJobsTest {
    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path corpus, validationList;

    @BeforeAll
    static void start() throws Exception {
        Path home = Path.of(System.getenv("SPARK_HOME"));
        Files.createDirectories(home.resolve("jars"));  // the launcher wants it; the executors get our class path
        spark = SparkSession.builder().master("local-cluster[2,1,1024]").appName("earshot-spark-test")
                .config("spark.executor.extraClassPath", System.getProperty("surefire.test.class.path"))
                .config("spark.executor.memory", "768m")
                .config("spark.ui.enabled", "false")
                .config("spark.executorEnv.OPENBLAS_NUM_THREADS", "1")
                .getOrCreate();
        long deadline = System.currentTimeMillis() + 90_000;
        while (spark.sparkContext().getExecutorMemoryStatus().size() < 3) {  // the driver and two executors
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the two executors did not start in 90 s; their logs:\n" + executorLogs(home));
            }
            Thread.sleep(200);
        }
        corpus = dir.resolve("corpus");
        validationList = dir.resolve("validation.txt");
        writeTones(corpus, validationList);
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    static String executorLogs(Path home) throws IOException {
        StringBuilder s = new StringBuilder();
        Path work = home.resolve("work");
        if (!Files.isDirectory(work)) return "(no " + work + ")";
        try (Stream<Path> files = Files.walk(work)) {
            for (Path p : files.filter(f -> f.getFileName().toString().equals("stderr")).limit(2).toList()) {
                List<String> lines = Files.readAllLines(p);
                s.append(p).append(":\n").append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
            }
        }
        return s.toString();
    }

    /** Two words as tones (low, high), an unknown word (a third tone), 12 speakers; every fourth speaker validates. */
    static void writeTones(Path root, Path list) throws IOException {
        SplittableRandom r = new SplittableRandom(3);
        String[] words = {"low", "high", "other"};
        double[] hz = {500, 1500, 3000};
        List<String> val = new ArrayList<>();
        for (int w = 0; w < words.length; w++) {
            Files.createDirectories(root.resolve(words[w]));
            for (int k = 0; k < 12; k++) {
                float[] pcm = new float[16000];
                double a = 0.1 + 0.4 * r.nextDouble(), ph = r.nextDouble() * 6.28;
                int start = r.nextInt(4000), len = 6000 + r.nextInt(5000);
                for (int i = 0; i < pcm.length; i++) {
                    double v = 0.01 * (r.nextDouble() - 0.5);
                    if (i >= start && i < start + len) v += a * Math.sin(ph + 2 * Math.PI * hz[w] * i / 16000);
                    pcm[i] = (float) v;
                }
                String name = String.format("%08x_nohash_0.wav", 0xabc000 + k);
                Pcm16Wav.write(root.resolve(words[w]).resolve(name), pcm, 16000);
                if (k % 4 == 3) val.add(words[w] + "/" + name);
            }
        }
        Files.write(list, val);
    }

    static TrainSettings settings() {
        TrainSettings d = TrainSettings.defaults();
        // Small and quick, with what the replicas must get right: augmentation, context, EMA, clipping.
        return new TrainSettings(24, 1, 3, 10, 3e-3f, 0.1f, 1f, 5, 1, d.noiseProbability(), d.noiseVolume(),
                d.shiftSamples(), 0f, 0.5f, 1, 5, 1, 3, 0f, 0.9f, false, 0.05f, 20, null, 0, 0f, 0f, Precision.FP32);
    }

    static SparkTrain.Job job(String checkpoint, int failOnce) {
        DataRecipe data = new DataRecipe(corpus.toString(), List.of(), "low,high",
                new DataRecipe.SplitSpec("auto", validationList.toString(), 10, 0), 50, List.of(), List.of(), 16000, 16000);
        return new SparkTrain.Job(data, settings(), FeatureSettings.defaults().toMap(), checkpoint, false, null, null,
                failOnce, null);
    }

    static float[] parameters(byte[] model) throws IOException {
        try (KeywordModel m = KeywordModel.load(new java.io.ByteArrayInputStream(model), "model")) {
            return m.gru().parameters();
        }
    }

    @Test
    void twoExecutorsTrainOneMachinesModelAndAFailedTaskEndsInTheSameModel() throws Exception {
        SparkTrain.Job job = job(dir.resolve("a.ckpt").toString(), 0);
        float[] one;
        try (KeywordModel m = new Trainer(job.data().load(System.err), FeatureSettings.defaults(), 16000, settings(),
                dir.resolve("one.ckpt"), false, null, new TrainingListener() {}).run().model()) {
            one = m.gru().parameters();
        }
        SparkTrain.Outcome two = SparkTrain.run(spark, job, 2);
        float[] p = parameters(two.model());
        double maxDiff = 0, maxAbs = 0;
        for (int i = 0; i < p.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(p[i] - one[i]));
            maxAbs = Math.max(maxAbs, Math.abs(one[i]));
        }
        System.out.printf("one machine vs two executors: largest difference %.3g, largest weight %.3g%n", maxDiff, maxAbs);
        assertTrue(maxDiff < 1e-4 * maxAbs, "one machine and two executors differ by " + maxDiff);
        assertEquals(3, two.history().size());
        assertEquals(1, two.attempts());

        // Replica 1 fails after epoch 2 in the first attempt: Spark re-runs the stage, which resumes from replica 0's
        // checkpoint of epoch 2 and ends with the uninterrupted run's model, to the bit.
        SparkTrain.Outcome retried = SparkTrain.run(spark, job(dir.resolve("b.ckpt").toString(), 2), 2);
        assertEquals(2, retried.attempts(), "the stage ran twice");
        assertArrayEquals(p, parameters(retried.model()));
    }

    /** The corpus's clips to featurize, labelled by folder, with their speakers. */
    static List<SparkFeaturize.Item> corpusItems() throws IOException {
        List<SparkFeaturize.Item> items = new ArrayList<>();
        try (Stream<Path> s = Files.walk(corpus)) {
            s.filter(f -> f.toString().endsWith(".wav")).sorted().forEach(f -> items.add(new SparkFeaturize.Item(
                    f.toString(), f.getParent().getFileName().toString(), f.getFileName().toString().substring(0, 8))));
        }
        return items;
    }

    @Test
    void twoExecutorsTrainOnATableOfFramesTheModelOneMachineTrainsOnTheAudio() throws Exception {
        String table = dir.resolve("frames").toString();
        SparkFeaturize.run(spark, corpusItems(), FeatureSettings.defaults(), 16000, 3).drop("index").write().parquet(table);
        TrainSettings d = settings();
        // Frames have no audio to augment: no noise, shift, masks or context.
        TrainSettings plain = new TrainSettings(d.hidden(), d.layers(), d.epochs(), d.batch(), d.learningRate(),
                d.weightDecay(), d.clipNorm(), d.seed(), 1, 0f, 0f, 0, d.silenceFraction(), d.unknownFraction(), 0,
                d.timeMaskWidth(), 0, d.bandMaskWidth(), 0f, d.emaDecay(), false, d.labelSmoothing(), 0, null, 0, 0f, 0f, Precision.FP32);
        SparkTrain.Job audio = job(dir.resolve("c.ckpt").toString(), 0);
        audio = new SparkTrain.Job(audio.data(), plain, audio.features(), audio.checkpoint(), false, null, null, 0, null);
        float[] one;
        try (KeywordModel m = new Trainer(audio.data().load(System.err), FeatureSettings.defaults(), 16000, plain,
                dir.resolve("one-plain.ckpt"), false, null, new TrainingListener() {}).run().model()) {
            one = m.gru().parameters();
        }
        SparkTrain.Outcome two = SparkTrain.run(spark, audio.onFrames(table), 2);
        float[] p = parameters(two.model());
        double maxDiff = 0, maxAbs = 0;
        for (int i = 0; i < p.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(p[i] - one[i]));
            maxAbs = Math.max(maxAbs, Math.abs(one[i]));
        }
        System.out.printf("one machine on audio vs two executors on frames: largest difference %.3g, largest weight "
                + "%.3g%n", maxDiff, maxAbs);
        assertTrue(maxDiff < 1e-4 * maxAbs, "one machine and two executors differ by " + maxDiff);
        assertEquals(3, two.history().size());

        // Frames made for a model (normalized) and rows without frames cannot train: refused before any task starts.
        String normalized = dir.resolve("normalized").toString();
        try (KeywordModel m = KeywordModel.open("default")) {
            SparkFeaturize.run(spark, corpusItems(), m.features(), 16000, 2).drop("index").write().parquet(normalized);
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SparkFeaturize.index(spark, normalized));
        assertTrue(e.getMessage().contains("normalized") && e.getMessage().contains("without --model"), e.getMessage());
        List<SparkFeaturize.Item> items = corpusItems();
        items.add(new SparkFeaturize.Item(dir.resolve("gone.wav").toString(), "low", "gone"));
        String holed = dir.resolve("holed").toString();
        SparkFeaturize.run(spark, items, FeatureSettings.defaults(), 16000, 2).drop("index").write().parquet(holed);
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SparkTrain.run(spark, job(dir.resolve("d.ckpt").toString(), 0).onFrames(holed), 2));
        assertTrue(e.getMessage().contains("1 row cannot train") && e.getMessage().contains("gone.wav"), e.getMessage());
    }

    @Test
    void recognizeOnExecutorsGivesOneMachinesAnswersAndARowPerUnreadableFile() throws Exception {
        List<String> paths = new ArrayList<>();
        try (Stream<Path> s = Files.walk(corpus)) {
            s.filter(f -> f.toString().endsWith(".wav")).sorted().forEach(f -> paths.add(f.toString()));
        }
        Path broken = dir.resolve("broken.wav");
        Files.write(broken, new byte[] {'R', 'I', 'F', 'F', 1, 2, 3});
        paths.add(3, broken.toString());
        paths.add(dir.resolve("missing.wav").toString());
        byte[] model;
        try (KeywordModel m = KeywordModel.open("default")) {
            model = ModelFile.encode(m.contents());
        }
        List<Row> rows = SparkRecognize.run(spark, model, paths, 3, 4).collectAsList();
        assertEquals(paths.size(), rows.size());
        try (KeywordModel m = KeywordModel.load(new java.io.ByteArrayInputStream(model), "model")) {
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                assertEquals(i, r.getLong(0), "rows in the manifest's order");
                assertEquals(paths.get(i), r.getString(1));
                if (i == 3 || i == paths.size() - 1) {
                    assertNull(r.get(2));
                    assertNotNull(r.getString(5));
                    assertTrue(r.getString(5).contains(i == 3 ? "broken.wav" : "missing.wav"), r.getString(5));
                    continue;
                }
                List<Prediction> want = m.classify(Path.of(paths.get(i)));
                assertNull(r.get(5), r.getString(5));
                assertEquals(want.get(0).label(), r.getString(2));
                assertEquals(want.get(0).confidence(), r.getFloat(3), 0f, "the same bits as one machine");
                assertEquals(3, r.getString(4).split(" ").length);
                assertTrue(r.getString(4).startsWith(want.get(0).label() + ":"));
            }
        }
    }

    @Test
    void featurizeOnExecutorsGivesOneMachinesFrames() throws Exception {
        List<SparkFeaturize.Item> items = corpusItems();
        items.add(1, new SparkFeaturize.Item(dir.resolve("missing.wav").toString(), null, null));
        // A model's settings carry its normalization: the frames are what that model is fed.
        FeatureSettings fs;
        try (KeywordModel m = KeywordModel.open("default")) {
            fs = m.features();
        }
        List<Row> rows = SparkFeaturize.run(spark, items, fs, 16000, 3).collectAsList();
        assertEquals(items.size(), rows.size());
        dev.earshot.audio.Mfcc mfcc = new dev.earshot.audio.Mfcc(fs);
        int frames = mfcc.frameCount(16000);
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            assertEquals(i, r.getLong(0));
            assertEquals(items.get(i).path(), r.getString(1));
            assertEquals(items.get(i).label(), r.getString(2));
            if (i == 1) {
                assertNull(r.get(6));
                assertTrue(r.getString(7).contains("missing.wav"), r.getString(7));
                continue;
            }
            float[] want = new float[frames * mfcc.coefficients()];
            float[] pcm = dev.earshot.audio.WavReader.read(Path.of(items.get(i).path()), 16000).samples();
            mfcc.compute(java.util.Arrays.copyOf(pcm, 16000), 0, 16000, want, 0);
            List<Float> got = r.getList(6);
            assertEquals(frames, r.getInt(4));
            assertEquals(want.length, got.size());
            for (int k = 0; k < want.length; k++) assertEquals(want[k], got.get(k), 0f, "row " + i + " value " + k);
        }
    }
}
