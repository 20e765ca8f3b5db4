package dev.earshot.datasets;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The other words spoken by espeak-ng when a dataset holds only one's own words (needs espeak-ng). */
class SpokenNegativesTest {
    @TempDir
    Path tmp;

    @Test
    void theBundledListLeavesOutTheTargetWords() throws IOException {
        List<String> all = SpokenNegatives.words(List.of());
        assertTrue(all.size() > 200, "a few hundred words: " + all.size());
        assertTrue(all.contains("window") && all.contains("yes") && all.contains("marvin"));
        assertEquals(all.size(), new java.util.HashSet<>(all).size(), "no word twice");
        List<String> less = SpokenNegatives.words(List.of("Window", "yes", "lights_on"));
        assertFalse(less.contains("window") || less.contains("yes"));
        assertEquals(all.size() - 2, less.size());
        assertNotEquals(SpokenNegatives.key(all, 1), SpokenNegatives.key(less, 1), "another list, another folder");
        assertNotEquals(SpokenNegatives.key(all, 1), SpokenNegatives.key(all, 2));
    }

    /** One voice (about 220 clips) keeps the test short; train uses {@link SpokenNegatives#VOICES}. */
    @Test
    void madeOnceAsASpeechCommandsSetAndFoundAfterwards() throws IOException {
        Path cache = tmp.resolve("cache");
        Path dir = SpokenNegatives.ensure(cache, List.of("computer", "window"), 1, new EspeakSynthesizer("espeak-ng", null), null);
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(dir);
        List<String> words = SpokenNegatives.words(List.of("computer", "window"));
        assertEquals(new java.util.TreeSet<>(words), new java.util.TreeSet<>(ds.words().stream()
                .filter(w -> !w.equals(LabelSet.SILENCE)).toList()));
        assertEquals(words.size(), ds.clips().size());
        assertEquals(2, ds.backgroundNoiseFiles().size(), "white and pink noise for silence and mixing");
        assertTrue(Files.exists(dir.resolve(SpokenNegatives.DONE)));
        try (var left = Files.list(cache)) {
            assertEquals(List.of(dir), left.toList(), "no temporary folder left behind");
        }
        // Found again without espeak-ng: a synthesizer that cannot run is never asked.
        assertEquals(dir, SpokenNegatives.ensure(cache, List.of("window", "computer"), 1,
                new EspeakSynthesizer("espeak-ng-that-does-not-exist", null), null));
        // An unfinished folder (no DONE) is made again.
        Files.delete(dir.resolve(SpokenNegatives.DONE));
        IOException e = assertThrows(IOException.class, () -> SpokenNegatives.ensure(cache, List.of("computer", "window"), 1,
                new EspeakSynthesizer("espeak-ng-that-does-not-exist", null), null));
        assertTrue(e.getMessage().startsWith(EspeakSynthesizer.NOT_INSTALLED), e.getMessage());
    }
}
