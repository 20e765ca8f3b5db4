package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.api.KeywordModel;
import dev.earshot.audio.WavReader;
import dev.earshot.datasets.EspeakSynthesizer;
import dev.earshot.datasets.Pcm16Wav;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A custom word end to end, as a user makes one with no download: one long recording of the word (twelve takes of
 * one espeak-ng voice) cut by {@code enroll --input}, then {@code train --init default} on that folder alone. The
 * run splits the one speaker's takes for validation and speaks other words with espeak-ng as what is not the word;
 * the model then finds the word in its held-out takes and not in other words of other voices. Needs espeak-ng.
 */
class CustomWordTest {
    @TempDir
    Path dir;

    @Test
    void oneRecordingOfAWordTrainsAModelOfIt() throws Exception {
        Path takes = dir.resolve("takes");
        new EspeakSynthesizer("espeak-ng", null).synthesize(takes, new EspeakSynthesizer.Options(List.of("computer"), 1, 12, 4));
        List<Path> clips;
        try (var s = Files.list(takes.resolve("computer"))) {
            clips = s.sorted().toList();
        }
        // One recording: each take's second, then a second of silence.
        float[] rec = new float[clips.size() * 32000 + 16000];
        for (int i = 0; i < clips.size(); i++) {
            float[] c = WavReader.read(clips.get(i), 16000).samples();
            System.arraycopy(c, 0, rec, 16000 + i * 32000, Math.min(c.length, 16000));
        }
        Path wav = dir.resolve("computer.wav");
        Pcm16Wav.write(wav, rec, 16000);
        Path mine = dir.resolve("mine");
        TrainEvalRecognizeTest.Run e = TrainEvalRecognizeTest.run("enroll", "computer", "--to", mine.toString(),
                "--input", wav.toString(), "--speaker", "me");
        assertEquals(0, e.exit(), e.err() + e.out());
        assertTrue(e.out().contains("12 of 12 utterances kept"), e.out());

        Path model = dir.resolve("computer.earshot");
        TrainEvalRecognizeTest.Run t = TrainEvalRecognizeTest.run("train", "--data", mine.toString(), "--labels", "computer",
                "--init", "default", "--epochs", "8", "--word-draws", "96", "--lr", "2e-3", "--unknown-percent", "100",
                "--spoken-voices", "2", "--cache", dir.resolve("cache").toString(), "--out", model.toString());
        assertEquals(0, t.exit(), t.err());
        assertTrue(t.err().contains("speaking 221 other words in 2 espeak-ng voices"), t.err());
        assertTrue(t.err().contains("'computer' (1 speaker) by take, 1 of 12 to validation"), t.err());
        assertTrue(t.err().contains("96 word draws of 11 clips, 96 unknown"), t.err());
        try (KeywordModel m = KeywordModel.load(model)) {
            assertEquals(List.of("_silence_", "_unknown_", "computer"), m.labels());
            assertEquals("default", m.provenance().get("initialized_from"));
        }

        // The held-out take is the word; words the run never heard, in voices it never heard (not the takes' voice:
        // a model of one speaker's takes learns some of the speaker too), are not. (A toy of eight
        // short epochs: "monitor", one of the spoken other words, in espeak's whisper voice still sounds like the word.)
        Path others = dir.resolve("others");
        new EspeakSynthesizer("espeak-ng", null).synthesize(others, new EspeakSynthesizer.Options(
                List.of("umbrella", "garden", "tomato", "lighthouse"), 3, 1, 99));
        String voice = clips.get(0).getFileName().toString().replaceFirst("_nohash_.*", "");
        List<String> args = new ArrayList<>(List.of("recognize", "--model", model.toString(), "--all"));
        args.add(mine.resolve("computer/me_nohash_9.wav").toString());
        try (var s = Files.walk(others)) {
            s.filter(p -> p.toString().endsWith(".wav") && !p.toString().contains("_background_noise_"))
                    .filter(p -> !p.getFileName().toString().startsWith(voice + "_nohash_")).sorted()
                    .limit(8).forEach(p -> args.add(p.toString()));
        }
        TrainEvalRecognizeTest.Run r = TrainEvalRecognizeTest.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().filter(l -> l.contains(".wav")).toList();
        assertEquals(9, lines.size(), r.out());
        assertTrue(lines.get(0).contains("computer"), "the held-out take: " + lines.get(0));
        for (String l : lines.subList(1, lines.size())) assertTrue(!l.contains("computer"), "another word: " + l + "\n" + r.out());

        // Detection settings fitted from one's own takes and recordings that must not fire; without the latter the
        // fit has no false accepts to weigh, and says what to give.
        Path tuned = dir.resolve("tuned.earshot");
        String[] tune = {"tune-detection", "--model", model.toString(), "--data", mine.toString(), "--split", "all",
                "--seeds", "1", "--minutes", "1", "--out", tuned.toString()};
        TrainEvalRecognizeTest.Run bare = TrainEvalRecognizeTest.run(tune);
        assertEquals(2, bare.exit(), bare.err());
        assertTrue(bare.err().contains("no --negatives are given") && bare.err().contains("--command-free-minutes 0"), bare.err());
        String[] withNegatives = java.util.Arrays.copyOf(tune, tune.length + 4);
        System.arraycopy(new String[] {"--negatives", others.toString(), "--negatives-minutes", "2"}, 0, withNegatives,
                tune.length, 4);
        TrainEvalRecognizeTest.Run fit = TrainEvalRecognizeTest.run(withNegatives);
        assertEquals(0, fit.exit(), fit.err());
        assertTrue(fit.err().contains("the command-free stream is the --negatives stream alone"), fit.err());
        try (KeywordModel m = KeywordModel.load(tuned)) {
            assertEquals(List.of("_silence_", "_unknown_", "computer"), m.labels());
        }
    }
}
