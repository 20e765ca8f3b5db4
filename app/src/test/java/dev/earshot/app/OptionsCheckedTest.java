package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.api.KeywordModel;
import dev.earshot.app.TrainEvalRecognizeTest.Run;
import dev.earshot.datasets.Pcm16Wav;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Options are checked before any work, every error is one line "earshot COMMAND: …" naming the option and what it
 * takes (no usage dump, no exception class names), empty selections of clips are errors, and {@code dataset info}
 * reports the validation set {@code train} uses.
 */
class OptionsCheckedTest {
    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void makeData() throws Exception {
        data = ToyDataset.write(dir.resolve("toy"), 12, 4, 3);
    }

    private static Run run(String... args) {
        return TrainEvalRecognizeTest.run(args);
    }

    /**
     * A small, quick training run on the toy words (yes, no; up is an unknown word) into {@code out}; {@code extra}
     * options replace these ones' values or are added.
     */
    private static String[] train(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--labels", "yes,no", "--split",
                "speakers", "--validation-percent", "25", "--hidden", "8", "--epochs", "2", "--batch", "32",
                "--cache", "none", "--out", out.toString()));
        for (int i = 0; i < extra.length; i++) {
            int at = a.indexOf(extra[i]);
            boolean valued = i + 1 < extra.length && !extra[i + 1].startsWith("--");
            if (at >= 0 && valued) a.set(at + 1, extra[++i]);
            else if (valued) a.addAll(List.of(extra[i], extra[++i]));
            else a.add(extra[i]);
        }
        return a.toArray(new String[0]);
    }

    /** One line on stderr, "earshot COMMAND: …", that contains every one of {@code words}; exit 2. */
    private static void refused(Run r, String command, String... words) {
        assertEquals(2, r.exit(), r.err() + r.out());
        String err = r.err().strip();
        assertTrue(err.startsWith("earshot " + command + ": "), err);
        assertEquals(1, err.lines().count(), "one line: " + err);
        for (String w : words) assertTrue(err.contains(w), "'" + w + "' in: " + err);
        assertFalse(err.contains("Usage:") || err.contains("Exception") || err.contains("\tat "), err);
    }

    @Test
    void trainRefusesEveryBadValueBeforeReadingTheData() throws Exception {
        Path out = dir.resolve("refused.earshot");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        String[][] cases = {
                {"--weights", "float64", "--weights", "float32, float16 or int8"},
                {"--keep", "worst", "--keep", "best or last"},
                {"--compute", "float16", "--compute", "float32 or bfloat16", "'float16'"},
                {"--split", "nope", "--split", "auto, lists, hash or speakers"},
                {"--epochs", "0", "--epochs", "at least 1"},
                {"--batch", "0", "--batch", "at least 1"},
                {"--hidden", "-4", "--hidden", "at least 1"},
                {"--layers", "0", "--layers", "at least 1"},
                {"--threads", "0", "--threads", "at least 1"},
                {"--lr", "0", "--lr", "greater than 0"},
                {"--lr", "-1e-3", "--lr", "greater than 0"},
                {"--weight-decay", "-1", "--weight-decay", "0 or more"},
                {"--unknown-percent", "-5", "--unknown-percent", "from 0 to 1000"},
                {"--speed", "0.7", "--speed", "below 0.5"},
                {"--pitch", "0.5", "--pitch", "below 0.5"},
                {"--reverb", "1.5", "--reverb", "from 0 to 1"},
                {"--word-draws", "0", "--word-draws", "at least 1"},
                {"--mfcc", "0", "--mfcc", "at least 1"},
                {"--labels", "13", "--labels 13", "'13' has no clips", "its words: no, up, yes"},
                {"--labels", "yes,dog", "--labels yes,dog", "'dog' has no clips"},
                {"--labels", "yes,yes", "--labels yes,yes", "twice"},
                {"--out", dir.resolve("missing").resolve("m.earshot").toString(), "--out", "does not exist"},
                {"--out", file.resolve("m.earshot").toString(), "--out", "not a folder"},
                {"--out", dir.toString(), "--out", "is a folder"},
                {"--validation-percent", "0", "--validation-percent"},
                {"--epochs", "many", "--epochs", "'many'"},
                {"--epoch", "3", "--epoch", "--epochs"},
        };
        for (String[] c : cases) {
            Run r = run(train(out, c[0], c[1]));
            refused(r, "train", Arrays.copyOfRange(c, 2, c.length));
            assertFalse(r.err().contains("loaded"), "refused before the dataset is read: " + r.err());
            assertFalse(Files.exists(out) || Files.exists(Path.of(out + ".ckpt")), "no model for " + Arrays.toString(c));
        }
        assertFalse(Files.exists(dir.resolve("missing")), "--out's folder is not created");
        // bfloat16 products need an even hidden size (and AVX-512 BF16): said before the dataset is read too
        Run r = run(train(out, "--compute", "bfloat16", "--hidden", "7"));
        refused(r, "train", "--compute bfloat16", dev.earshot.gru.Precision.bf16Supported() ? "even hidden size, got 7"
                : "AVX-512 BF16");
        assertFalse(r.err().contains("loaded"), "refused before the dataset is read: " + r.err());
    }

    @Test
    void aRunThatCannotWriteItsReportKeepsTheModelAndSaysHowToResume() throws Exception {
        Path out = dir.resolve("no-report.earshot"), ckpt = Path.of(out + ".ckpt");
        Path report = dir.resolve("no-report-report.html");
        Files.createDirectories(report.resolve("in-the-way"));  // a folder where the report goes
        Run r = run(train(out));
        assertEquals(1, r.exit(), r.err());
        String err = r.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(err.startsWith("earshot train: wrote " + out + ", but not its report: "), err);
        assertTrue(err.contains(ckpt.toString()) && err.contains("--resume"), err);
        try (KeywordModel m = KeywordModel.load(out)) {
            assertEquals(List.of("_silence_", "_unknown_", "yes", "no"), m.labels());
        }
        assertTrue(Files.exists(ckpt), "the checkpoint is kept for --resume");

        Files.delete(report.resolve("in-the-way"));
        Files.delete(report);
        Run again = run(train(out, "--resume"));
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.err().contains("resuming after epoch 2 of 2"), again.err());
        assertTrue(Files.size(report) > 100);
        assertFalse(Files.exists(ckpt), "a finished run deletes its checkpoint");
    }

    @Test
    void aFinishedRunDeletesItsCheckpointUnlessAskedToKeepIt() throws Exception {
        Path out = dir.resolve("finished.earshot"), ckpt = Path.of(out + ".ckpt");
        Run r = run(train(out));
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.exists(out));
        assertFalse(Files.exists(ckpt), r.out());

        Run kept = run(train(out, "--keep-checkpoint"));
        assertEquals(0, kept.exit(), kept.err());
        assertTrue(Files.exists(ckpt));
        assertTrue(kept.out().contains("checkpoint " + ckpt + " kept") && kept.out().contains("delete it"), kept.out());
        String help = run("train", "--help").out();
        assertTrue(help.contains("--keep-checkpoint") && help.contains("deleted"), help);
    }

    /**
     * A dataset whose lists leave the testing split empty: eval, eval-stream and tune-detection name the split and
     * the data and suggest --split all; eval on a list of clips the data does not hold says so.
     */
    @Test
    void emptySplitsAndListsAreErrorsThatSuggestSplitAll() throws Exception {
        Path listed = ToyDataset.write(dir.resolve("listed"), 3, 2, 5);
        Files.writeString(listed.resolve("validation_list.txt"), "yes/" + String.format("%08x", 0x1000) + "_nohash_0.wav\n");
        Files.writeString(listed.resolve("testing_list.txt"), "# no testing clips\n");
        String[][] runs = {
                {"eval", "--model", "default", "--data", listed.toString(), "--split", "testing"},
                {"eval-stream", "--model", "default", "--data", listed.toString(), "--split", "testing", "--minutes", "0.2"},
                {"tune-detection", "--model", "default", "--data", listed.toString(), "--split", "testing", "--minutes", "0.2",
                        "--command-free-minutes", "0.2"},
        };
        for (String[] a : runs) {
            Run r = run(a);
            refused(r, a[0], "testing split", listed.toString(), "--split all");
            assertFalse(r.out().contains("on 0 clips"), r.out());
        }
        Path list = Files.writeString(dir.resolve("elsewhere.txt"), "yes/ffffffff_nohash_0.wav\n");
        refused(run("eval", "--model", "default", "--data", listed.toString(), "--list", list.toString()), "eval",
                list.toString(), listed.toString());
        refused(run("eval", "--model", "default", "--data", listed.toString(), "--split", "test"), "eval",
                "--split", "training, validation, testing or all");
    }

    @Test
    void benchGruSaysHowTheStepMultiplies() throws Exception {
        String compute = dev.earshot.gru.Precision.bf16Supported() ? "bfloat16" : "float32";
        Run r = run("bench", "gru", "--mode", "train", "--batch", "4", "--frames", "3", "--features", "5", "--hidden", "8",
                "--reps", "1", "--warmup", "0", "--compute", compute, "--json");
        assertEquals(0, r.exit(), r.err());
        String json = r.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(json.contains("\"compute\":\"" + compute + "\""), json);
        refused(run("bench", "gru", "--compute", "int4"), "bench gru", "--compute int4", "float32 or bfloat16");
        refused(run("bench", "gru", "--mode", "infer", "--compute", "bfloat16"), "bench gru", "--mode train only");
    }

    @Test
    void countsAndOutputFoldersAreCheckedUpFront() throws Exception {
        Path clip = data.resolve("yes").resolve(String.format("%08x", 0x1000) + "_nohash_0.wav");
        refused(run("recognize", "--top", "0", clip.toString()), "recognize", "--top", "at least 1");
        refused(run("recognize", "--top", "-2", clip.toString()), "recognize", "--top");
        refused(run("eval-stream", "--model", "default", "--data", data.toString(), "--split", "all", "--minutes", "0"),
                "eval-stream", "--minutes", "greater than 0");
        refused(run("eval-stream", "--model", "default", "--data", data.toString(), "--split", "all", "--minutes", "-1"),
                "eval-stream", "--minutes");
        Path missing = dir.resolve("no-such-folder");
        for (String opt : new String[] {"--plot", "--det", "--save"}) {
            refused(run("eval-stream", "--model", "default", "--data", data.toString(), "--split", "all", "--minutes", "0.2",
                    opt, missing.resolve("x.png").toString()), "eval-stream", opt, "does not exist");
        }
        refused(run("tune-detection", "--model", "default", "--data", data.toString(), "--split", "all", "--minutes", "0.2",
                "--out", missing.resolve("t.earshot").toString()), "tune-detection", "--out", "does not exist");
        assertFalse(Files.exists(missing), "no folder is created");
    }

    @Test
    void datasetCommandsSayWhatIsWrongInWords() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        refused(run("dataset", "synth", "--to", file.toString(), "--words", "yes", "--voices", "1", "--per-word", "1"),
                "dataset synth", file.toString(), "a file is there");

        Path to = dir.resolve("download-here");
        Run r = run("dataset", "download", "--to", to.toString(), "--base-url", "http://127.0.0.1:1/data/");
        assertEquals(1, r.exit(), r.err());
        String err = r.err().strip();
        assertTrue(err.startsWith("earshot dataset download: ") && err.contains("could not reach 127.0.0.1"), err);
        assertFalse(err.contains("Exception") || err.contains("java."), err);
        assertFalse(Files.exists(to), "no empty folder is left behind");
        assertTrue(dev.earshot.datasets.SpeechCommandsVersion.OFFICIAL_BASE_URL.startsWith("https://"));
    }

    @Test
    void errorsOfEveryCommandStartWithItsName() throws Exception {
        Run r = run("features", dir.resolve("nothing.wav").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("earshot features: " + dir.resolve("nothing.wav")), r.err());
        refused(run("features", "--mels", "0", "x.wav"), "features", "--mels");
        refused(run("eval", "--model", "default"), "eval", "--data");
        refused(run("recognize", "--nonsense", "x.wav"), "recognize", "--nonsense");
        refused(run("dataset", "info", dir.resolve("none").toString()), "dataset info", "no such folder");
    }

    @Test
    void featuresJsonSettingsAreNumbers() throws Exception {
        Path clip = data.resolve("no").resolve(String.format("%08x", 0x1000) + "_nohash_1.wav");
        Run r = run("features", "--json", clip.toString());
        assertEquals(0, r.exit(), r.err());
        String settings = r.out().substring(r.out().indexOf("\"settings\":{"), r.out().indexOf("},\"shape\""));
        assertTrue(settings.contains("\"window\":640,") && settings.contains("\"mel_bands\":40,")
                && settings.contains("\"min_hz\":20.0,") && settings.contains("\"layout\":\"TORCH_STFT\""), settings);
        assertFalse(settings.matches(".*\":\"[0-9].*"), "no number as a string: " + settings);
    }

    /** A 3 s file: the line says which one-clip window spoke for it; --all prints a line per window. */
    @Test
    void recognizeOnALongFileSaysWhichWindowWonOrListsThemAll() throws Exception {
        SplittableRandom rng = new SplittableRandom(4);
        float[] pcm = new float[48000];
        System.arraycopy(ToyDataset.word("yes", rng), 0, pcm, 16000, 16000);
        Path wav = dir.resolve("long.wav");
        Pcm16Wav.write(wav, pcm, 16000);
        Run one = run("recognize", wav.toString());
        assertEquals(0, one.exit(), one.err());
        Matcher m = Pattern.compile(Pattern.quote(wav + ":") + " (\\S+ [0-9.]+) \\(the most confident of 21 one-clip "
                + "windows: ([0-9.]+)-([0-9.]+) s of 3.00 s\\)").matcher(one.out().strip());
        assertTrue(m.matches(), one.out());
        Run all = run("recognize", "--all", wav.toString());
        assertEquals(0, all.exit(), all.err());
        List<String> lines = all.out().strip().lines().toList();
        assertEquals(21, lines.size(), all.out());
        assertTrue(lines.get(0).startsWith(wav + "@0.00 s: ") && lines.get(20).startsWith(wav + "@2.00 s: "), all.out());
        assertTrue(lines.contains(wav + "@" + m.group(2) + " s: " + m.group(1)), m.group(2) + " in " + all.out());
        assertTrue(run("recognize", "--help").out().contains("most confident"));
    }

    /**
     * dataset info with train's split options reports the validation set train loads, entry for entry: the
     * held-out speakers' command words with silence and unknown words at training's shares (10% each), not every
     * clip of other words and no silence.
     */
    @Test
    void datasetInfoReportsTheValidationSetTrainUses() throws Exception {
        Run info = run("dataset", "info", data.toString(), "--labels", "yes,no", "--split", "speakers",
                "--validation-percent", "25");
        assertEquals(0, info.exit(), info.err());
        Matcher v = Pattern.compile("validation +(\\d+) entries \\(silence (\\d+), unknown (\\d+), words (\\d+)\\)")
                .matcher(info.out());
        assertTrue(v.find(), info.out());
        // 3 of 12 speakers held out: 24 yes/no clips, and 10% of that in silence and in unknown words
        assertEquals(List.of("30", "3", "3", "24"), List.of(v.group(1), v.group(2), v.group(3), v.group(4)), info.out());
        Path out = dir.resolve("same-validation.earshot");
        Run train = run(train(out, "--epochs", "1"));
        assertEquals(0, train.exit(), train.err());
        assertTrue(train.err().contains(" and 30 validation clips"), train.err());
        try (KeywordModel m = KeywordModel.load(out)) {
            assertEquals("30", m.provenance().get("validation_clips"));
        }
    }
}
