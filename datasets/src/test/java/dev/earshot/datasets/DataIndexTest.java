package dev.earshot.datasets;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataIndexTest {
    @TempDir
    Path tmp;

    @Test
    void labelSetsHaveTensorflowsOrder() {
        assertEquals(List.of("_silence_", "_unknown_", "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"),
                LabelSet.standard12().labels());
        assertEquals(37, LabelSet.allWords(SpeechCommandsVersion.V0_02).size());
        assertEquals(32, LabelSet.allWords(SpeechCommandsVersion.V0_01).size());
        assertEquals(List.of("_silence_", "_unknown_", "marvin", "sheila"), LabelSet.parse("Marvin, sheila").labels());
        assertEquals(LabelSet.standard12(), LabelSet.parse("standard12"));
        assertEquals(LabelSet.standard12(), LabelSet.parse("12"));
        assertEquals(LabelSet.allWords(SpeechCommandsVersion.V0_02), LabelSet.parse("35"));
        assertEquals(37, LabelSet.parse("35").size(), "35 words plus silence and unknown");
        assertThrows(IllegalArgumentException.class, () -> LabelSet.of(List.of("yes", "yes")));
        assertThrows(IllegalArgumentException.class, () -> LabelSet.of(List.of("_silence_")));
        assertThrows(IllegalArgumentException.class, () -> LabelSet.of(List.of()));
    }

    @Test
    void clipsMapToWordUnknownOrSilence() {
        LabelSet ls = LabelSet.standard12();
        Path f = tmp.resolve("x.wav");
        assertEquals(2, ls.labelOf(new Clip(f, "yes/a_nohash_0.wav", "yes", "a")));
        assertEquals(11, ls.labelOf(new Clip(f, "go/a_nohash_0.wav", "go", "a")));
        assertEquals(LabelSet.UNKNOWN_INDEX, ls.labelOf(new Clip(f, "marvin/a_nohash_0.wav", "marvin", "a")));
        assertEquals(LabelSet.SILENCE_INDEX, ls.labelOf(new Clip(f, "_silence_/1.wav", "_silence_", "1")));
    }

    @Test
    void silenceAndUnknownAreTenPercentOfKnownPerSplit() throws IOException {
        Path root = Fixtures.tree(tmp.resolve("d"), List.of("yes", "no", "marvin", "sheila", "bed"), 40, 1, 0, true);
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(root);
        LabelSet ls = LabelSet.of(List.of("yes", "no"));
        SplitPolicy policy = SplitPolicy.tensorflowHash(10, 10);
        DataIndex idx = DataIndex.build(ds, ls, policy, 10, 10, 7);
        int total = 0;
        for (Split s : Split.values()) {
            int known = 0, unknownAvailable = 0;
            for (Clip c : ds.clips()) {
                if (policy.splitOf(c) != s) continue;
                if (ls.isTarget(c.word())) known++;
                else unknownAvailable++;
            }
            int[] counts = idx.countsPerLabel(s);
            assertEquals(known, counts[2] + counts[3], s.toString());
            assertEquals((int) Math.ceil(known * 10 / 100.0), counts[LabelSet.SILENCE_INDEX], s + " silence");
            assertEquals(Math.min(unknownAvailable, (int) Math.ceil(known * 10 / 100.0)), counts[LabelSet.UNKNOWN_INDEX], s + " unknown");
            for (DataIndex.Entry e : idx.entries(s)) {
                if (e.label() == LabelSet.UNKNOWN_INDEX) {
                    assertFalse(ls.isTarget(e.clip().word()), e.toString());
                    assertEquals(s, policy.splitOf(e.clip()), "unknown drawn from another split: " + e);
                }
                if (e.label() == LabelSet.SILENCE_INDEX) assertTrue(e.generatedSilence());
            }
            total += known;
        }
        assertEquals(80, total);
    }

    @Test
    void sameSeedSameIndexOtherSeedOtherOrder() throws IOException {
        Path root = Fixtures.tree(tmp.resolve("d"), List.of("yes", "no", "cat", "dog"), 30, 1, 0, true);
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(root);
        SplitPolicy p = SplitPolicy.tensorflowHash(10, 10);
        DataIndex a = DataIndex.build(ds, LabelSet.of(List.of("yes", "no")), p, 10, 10, 1);
        DataIndex b = DataIndex.build(ds, LabelSet.of(List.of("yes", "no")), p, 10, 10, 1);
        DataIndex c = DataIndex.build(ds, LabelSet.of(List.of("yes", "no")), p, 10, 10, 2);
        assertEquals(a.entries(Split.TRAINING), b.entries(Split.TRAINING));
        assertNotEquals(a.entries(Split.TRAINING), c.entries(Split.TRAINING));
        assertEquals(sorted(a.entries(Split.TRAINING), true), sorted(c.entries(Split.TRAINING), true),
                "the known-word clips do not depend on the seed");
    }

    private static List<String> sorted(List<DataIndex.Entry> es, boolean knownOnly) {
        List<String> s = new ArrayList<>();
        for (DataIndex.Entry e : es) if (!knownOnly || e.label() > 1) s.add(e.toString());
        s.sort(null);
        return s;
    }

    @Test
    void realSilenceClipsAreUsedBeforeGeneratedOnes() throws IOException {
        Path root = Fixtures.tree(tmp.resolve("d"), List.of("yes"), 60, 1, 100, false);
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(root);
        // 100 real silence clips are plenty for 10%: no noise needed, none generated.
        DataIndex idx = DataIndex.build(ds, LabelSet.of(List.of("yes")), SplitPolicy.tensorflowHash(10, 10), 10, 10, 3);
        for (Split s : Split.values()) {
            for (DataIndex.Entry e : idx.entries(s)) {
                if (e.label() == LabelSet.SILENCE_INDEX) assertTrue(e.clip() != null && e.clip().isSilence(), e.toString());
            }
        }
    }

    @Test
    void missingTargetWordOrMissingNoiseIsAClearError() throws IOException {
        Path root = Fixtures.tree(tmp.resolve("d"), List.of("yes", "no"), 30, 1, 0, false);
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(root);
        IllegalArgumentException word = assertThrows(IllegalArgumentException.class,
                () -> DataIndex.build(ds, LabelSet.standard12(), SplitPolicy.tensorflowHash(10, 10), 1));
        assertTrue(word.getMessage().contains("'up'") && word.getMessage().contains(ds.root().toString()), word.getMessage());
        IllegalArgumentException noise = assertThrows(IllegalArgumentException.class,
                () -> DataIndex.build(ds, LabelSet.of(List.of("yes")), SplitPolicy.tensorflowHash(10, 10), 1));
        assertTrue(noise.getMessage().contains("_background_noise_"), noise.getMessage());
        // Without silence it builds.
        DataIndex ok = DataIndex.build(ds, LabelSet.of(List.of("yes")), SplitPolicy.tensorflowHash(10, 10), 0, 10, 1);
        assertEquals(0, ok.countsPerLabel(Split.TRAINING)[0]);
    }
}
