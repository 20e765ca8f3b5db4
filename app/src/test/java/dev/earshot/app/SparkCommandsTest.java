package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.api.KeywordModel;
import dev.earshot.api.Prediction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code earshot spark featurize|recognize|train} end to end on {@code local[2]} (the jobs themselves are tested on a
 * local cluster of executor JVMs in the spark module): options, outputs, and the errors that come before Spark starts.
 */
class SparkCommandsTest {
    @TempDir
    static Path dir;
    static Path data, manifest;

    @BeforeAll
    static void makeData() throws Exception {
        data = ToyDataset.write(dir.resolve("toy"), 6, 2, 3);
        List<String> lines = new ArrayList<>(List.of("path\tlabel"));
        try (Stream<Path> s = Files.walk(data.resolve("yes"))) {
            s.filter(f -> f.toString().endsWith(".wav")).sorted()
                    .forEach(f -> lines.add(data.relativize(f) + "\tyes"));  // relative to the manifest's folder
        }
        lines.add("yes/none_nohash_0.wav\tyes");
        manifest = data.resolve("manifest.tsv");
        Files.write(manifest, lines);
    }

    @Test
    void recognizeWritesARowPerFileInTheManifestsOrder() throws Exception {
        Path out = dir.resolve("recognized");
        var r = TrainEvalRecognizeTest.run("spark", "recognize", "--master", "local[2]", "--manifest", manifest.toString(),
                "--out", out.toString(), "--top", "2", "--partitions", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("wrote 13 rows to " + out) && r.out().contains("1 files could not be read"), r.out());
        List<String> rows = new ArrayList<>();
        try (Stream<Path> parts = Files.list(out)) {
            for (Path p : parts.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList()) {
                List<String> l = Files.readAllLines(p);
                assertEquals("path,label,confidence,top,error", l.get(0));
                rows.addAll(l.subList(1, l.size()));
            }
        }
        assertEquals(13, rows.size());
        List<String> want = Files.readAllLines(manifest);
        try (KeywordModel m = KeywordModel.open("default")) {
            for (int i = 0; i < 12; i++) {
                String[] f = rows.get(i).split(",", -1);
                Path file = data.resolve(want.get(i + 1).split("\t")[0]);
                assertEquals(file.toString(), f[0]);
                Prediction p = m.classify(file).get(0);
                assertEquals(p.label(), f[1]);
                assertEquals(p.confidence(), Float.parseFloat(f[2]), 0f);
                assertEquals(2, f[3].split(" ").length);
                assertEquals("", f[4]);
            }
        }
        assertTrue(rows.get(12).contains("none_nohash_0.wav: no such file"), rows.get(12));
    }

    @Test
    void trainWritesTheModelAndReportOfTwoReplicas() throws Exception {
        Path model = dir.resolve("spark.earshot");
        var r = TrainEvalRecognizeTest.run("spark", "train", "--master", "local[2]", "--data", data.toString(),
                "--labels", "yes,no", "--split", "speakers", "--validation-percent", "34", "--hidden", "16",
                "--epochs", "2", "--batch", "8", "--out", model.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("training on Spark: 2 replicas") && r.err().contains("epoch 2/2"), r.err());
        assertTrue(Files.exists(dir.resolve("spark-report.html")), "the report");
        assertTrue(!Files.exists(Path.of(model + ".ckpt")), "the checkpoint is deleted after a finished run");
        try (KeywordModel m = KeywordModel.load(model)) {
            assertEquals("2", m.provenance().get("data_parallel_replicas"));
            assertEquals("1", m.provenance().get("train.threads"));
        }
    }

    /** A manifest of the same clips trains as the folder does. */
    @Test
    void trainReadsAManifest() throws Exception {
        List<String> lines = new ArrayList<>(List.of("path,label"));
        try (Stream<Path> s = Files.walk(data)) {
            s.filter(f -> f.toString().endsWith(".wav")).sorted().forEach(f -> lines.add(f + "," + f.getParent().getFileName()));
        }
        Path csv = dir.resolve("all.csv");
        Files.write(csv, lines);
        Path model = dir.resolve("manifest.earshot");
        var r = TrainEvalRecognizeTest.run("spark", "train", "--master", "local[2]", "--manifest", csv.toString(),
                "--labels", "yes,no", "--split", "speakers", "--validation-percent", "34", "--hidden", "16",
                "--epochs", "1", "--batch", "8", "--out", model.toString());
        assertEquals(0, r.exit(), r.err());
        try (KeywordModel m = KeywordModel.load(model)) {
            assertTrue(m.provenance().get("data").startsWith("all.csv"), m.provenance().get("data"));
        }
        var both = TrainEvalRecognizeTest.run("train", "--data", data.toString(), "--manifest", csv.toString(),
                "--labels", "yes,no", "--out", dir.resolve("x.earshot").toString());
        assertEquals(2, both.exit());
        assertTrue(both.err().contains("give --data DIR or --manifest FILE (one of them)"), both.err());
    }

    @Test
    void featurizeWritesAParquetTable() throws Exception {
        Path out = dir.resolve("features");
        var r = TrainEvalRecognizeTest.run("spark", "featurize", "--master", "local[2]", "--data", data.toString(),
                "--model", "default", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("wrote 36 rows to " + out + " (parquet"), r.out());
        try (Stream<Path> parts = Files.list(out)) {
            assertTrue(parts.anyMatch(p -> p.toString().endsWith(".parquet")));
        }
    }

    /** spark featurize's table trains as the audio does, without augmentation; a model's frames are refused. */
    @Test
    void trainReadsATableOfFrames() throws Exception {
        Path table = dir.resolve("frames");
        var f = TrainEvalRecognizeTest.run("spark", "featurize", "--master", "local[2]", "--data", data.toString(),
                "--out", table.toString());
        assertEquals(0, f.exit(), f.err());
        Path model = dir.resolve("frames.earshot");
        String[] train = {"spark", "train", "--master", "local[2]", "--features", table.toString(), "--labels", "yes,no",
                "--split", "speakers", "--validation-percent", "34", "--hidden", "16", "--epochs", "2", "--batch", "8",
                "--out", model.toString()};
        var r = TrainEvalRecognizeTest.run(train);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("training on Spark: 2 replicas") && r.err().contains("epoch 2/2"), r.err());
        try (KeywordModel m = KeywordModel.load(model)) {
            assertTrue(m.provenance().get("data").startsWith("frames (speaker"), m.provenance().get("data"));
            assertEquals("0", m.provenance().get("train.shift_samples"));
            assertEquals("0.0", m.provenance().get("train.noise_probability"));
        }
        Path normalized = dir.resolve("model-frames");
        f = TrainEvalRecognizeTest.run("spark", "featurize", "--master", "local[2]", "--data", data.toString(),
                "--model", "default", "--out", normalized.toString());
        assertEquals(0, f.exit(), f.err());
        String[][] cases = {
                {"normalized for a model", "--features", normalized.toString()},
                {"--speed cannot go with --features: a table of frames has no audio", "--features", table.toString(),
                        "--speed", "0.1"},
                {"--mfcc comes with --features' table", "--features", table.toString(), "--mfcc", "20"},
                {"--features TABLE replaces --data and --manifest", "--features", table.toString(), "--data",
                        data.toString()},
                {"--features " + dir.resolve("nothing") + ": no such folder", "--features", dir.resolve("nothing").toString()},
                {"--features " + data + ": holds no .parquet files", "--features", data.toString()},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("spark", "train", "--master", "local[2]", "--labels", "yes,no",
                    "--out", dir.resolve("no.earshot").toString()));
            args.addAll(List.of(c).subList(1, c.length));
            var bad = TrainEvalRecognizeTest.run(args.toArray(String[]::new));
            assertEquals(2, bad.exit(), c[0] + ": " + bad.err());
            assertTrue(bad.err().contains(c[0]), c[0] + ": " + bad.err());
        }
    }

    @Test
    void benchTimesTheAllReduceBetweenTasks() throws Exception {
        var r = TrainEvalRecognizeTest.run("spark", "bench", "--master", "local[2]", "--floats", "1000", "--rounds", "5");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("(?s)ring all-reduce of 1000 floats \\(0.00 MB\\) between 2 tasks: median \\d+\\.\\d+ ms.*"),
                r.out());
    }

    @Test
    void badOptionsAreRefusedBeforeSparkStarts() throws Exception {
        Path exists = Files.createDirectories(dir.resolve("exists"));
        String[][] cases = {
                {"--out " + exists + ": exists", "spark", "recognize", "--master", "local[2]", "--manifest",
                        manifest.toString(), "--out", exists.toString()},
                {"--master is needed", "spark", "recognize", "--manifest", manifest.toString(), "--out",
                        dir.resolve("n").toString()},
                {"--conf x.y: Spark settings start with 'spark.'", "spark", "recognize", "--master", "local[2]",
                        "--conf", "x.y=1", "--manifest", manifest.toString(), "--out", dir.resolve("n").toString()},
                {"give --manifest FILE or --data DIR", "spark", "featurize", "--master", "local[2]", "--out",
                        dir.resolve("n").toString()},
                {"--workers must be at least 1", "spark", "train", "--master", "local[2]", "--data", data.toString(),
                        "--labels", "yes,no", "--workers", "0", "--out", dir.resolve("w.earshot").toString()},
        };
        for (String[] c : cases) {
            var r = TrainEvalRecognizeTest.run(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, r.exit(), c[0] + ": " + r.err());
            assertTrue(r.err().contains(c[0]), c[0] + ": " + r.err());
        }
    }
}
