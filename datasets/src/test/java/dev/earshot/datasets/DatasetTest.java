package dev.earshot.datasets;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
    @TempDir
    Path tmp;

    @Test
    void readsWordsSpeakersSilenceAndNoiseAndIgnoresOtherFiles() throws IOException {
        Path root = Fixtures.tree(tmp.resolve("sc"), List.of("yes", "Stop"), 3, 2, 4, true);
        Files.writeString(root.resolve("MANIFEST.tsv"), "path\tword\n");
        Files.writeString(root.resolve("README.md"), "readme");
        Files.writeString(root.resolve("LICENSE"), "cc by 4.0");
        Files.writeString(root.resolve(".DS_Store"), "junk");
        Files.writeString(root.resolve("yes").resolve(".DS_Store"), "junk");
        Files.writeString(root.resolve("yes").resolve("notes.txt"), "junk");
        Files.createDirectories(root.resolve(".git"));

        SpeechCommandsDataset ds = SpeechCommandsDataset.open(root);
        assertEquals(List.of("_silence_", "stop", "yes"), ds.words());
        assertEquals(Map.of("_silence_", 4, "stop", 6, "yes", 6), ds.clipsPerWord());
        assertEquals(3, ds.speakers().size());
        assertEquals(2, ds.backgroundNoiseFiles().size());
        assertEquals(16, ds.clips().size());
        for (Clip c : ds.clips()) {
            assertTrue(c.file().toString().endsWith(".wav"));
            assertFalse(c.relativePath().startsWith(SpeechCommandsDataset.BACKGROUND_NOISE_DIR));
            if (!c.isSilence()) assertTrue(c.fileName().startsWith(c.speaker() + "_nohash_"), c.toString());
        }
        assertTrue(ds.clips().stream().anyMatch(c -> c.relativePath().startsWith("Stop/") && c.word().equals("stop")));
        assertEquals(SpeechCommandsVersion.V0_01, ds.guessVersion());
    }

    @Test
    void emptyWordFolderIsAnErrorNamingIt() throws IOException {
        Path root = Fixtures.tree(tmp.resolve("sc"), List.of("yes"), 2, 1, 0, false);
        Files.createDirectories(root.resolve("left"));
        Files.writeString(root.resolve("left").resolve("README.md"), "no clips here");
        IOException e = assertThrows(IOException.class, () -> SpeechCommandsDataset.open(root));
        assertTrue(e.getMessage().contains(root.resolve("left").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("no .wav clips"), e.getMessage());
    }

    @Test
    void missingOrClipLessDirectoryIsAClearError() throws IOException {
        IOException missing = assertThrows(IOException.class, () -> SpeechCommandsDataset.open(tmp.resolve("nope")));
        assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("README.md"), "x");
        IOException none = assertThrows(IOException.class, () -> SpeechCommandsDataset.open(empty));
        assertTrue(none.getMessage().contains("empty") && none.getMessage().contains("no Speech Commands clips"), none.getMessage());
        Path file = Files.writeString(tmp.resolve("file.txt"), "x");
        assertThrows(IOException.class, () -> SpeechCommandsDataset.open(file));
    }

    @Test
    void speakerIdIsThePartBeforeNohash() {
        assertEquals("0a7c2a8d", Clip.speakerOf("0a7c2a8d_nohash_3.wav"));
        assertEquals("en-us.f2", Clip.speakerOf("en-us.f2_nohash_0.wav"));
        assertEquals("1024", Clip.speakerOf("1024.wav"));
    }

    @Test
    void summaryCountsWordsAndSplitsAndExplainsMissingWords() throws IOException {
        Path root = Fixtures.tree(tmp.resolve("sc"), List.of("yes", "no", "cat"), 20, 1, 0, true);
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(root);
        SplitPolicy speakers = SplitPolicy.speakerHeldOut(ds, 10, 0, 1);
        String text = DatasetSummary.describe(ds, List.of(LabelSet.of(List.of("yes", "no")), LabelSet.standard12()),
                speakers, 10, DataIndex.TENSORFLOW_SEED);
        assertTrue(text.contains("60 clips, 3 words, 20 speakers, 2 background noise files"), text);
        assertTrue(text.matches("(?s).*yes\\s+20.*"), text);
        // The validation set a training run with this split validates on, to the entry.
        DataIndex idx = DataIndex.forTraining(ds, LabelSet.of(List.of("yes", "no")), speakers, 10);
        assertTrue(text.contains("  validation " + idx.describe(Split.VALIDATION)), idx.describe(Split.VALIDATION) + " in\n" + text);
        assertTrue(text.contains("speaker-held-out 10/0 seed 1 (2 validation, 0 testing of 20 speakers)"), text);
        assertTrue(text.contains("not available") && text.contains("'up'"), text);
    }

    @Test
    void validationOfATrainingRunHasSilenceAndUnknownAtTheirShares() throws IOException {
        // 4 speakers x 5 clips of each word: the held-out speaker's 10 yes/no clips, one silence and one unknown
        // (10% each, rounded up), not all of its 15 clips of other words and no silence.
        Path root = Fixtures.tree(tmp.resolve("shares"), List.of("yes", "no", "cat", "dog", "bed"), 4, 5, 0, true);
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(root);
        DataIndex idx = DataIndex.forTraining(ds, LabelSet.of(List.of("yes", "no")), SplitPolicy.speakerHeldOut(ds, 25, 0, 3), 10);
        assertEquals("12 entries (silence 1, unknown 1, words 10)", idx.describe(Split.VALIDATION));
    }
}
