package dev.earshot.datasets;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitPolicyTest {
    @TempDir
    Path tmp;

    /** hash_split of real clips from the Speech Commands MANIFEST (the dataset's own which_set). */
    @Test
    void whichSetMatchesTheDatasetsOwnSplitOfRealClips() {
        Map<String, String> golden = Map.of(
                "right/03401e93_nohash_0.wav", "testing",
                "right/1eddce1d_nohash_3.wav", "training",
                "right/439c84f4_nohash_1.wav", "validation",
                "one/6a27a9bf_nohash_0.wav", "validation",
                "right/51055bda_nohash_4.wav", "training",
                "right/93ec8b84_nohash_0.wav", "training",
                "go/28497c5b_nohash_0.wav", "testing",
                "off/d7467392_nohash_0.wav", "testing");
        golden.forEach((path, split) -> assertEquals(split, SplitPolicy.whichSet(path, 10, 10).tfName(), path));
    }

    /** Values from TensorFlow's which_set run in Python (hashlib, re, the same formula) for other percentages. */
    @Test
    void whichSetMatchesPythonReferenceAtOtherPercentages() {
        String[][] cases = {
                // name, split at 10/10, at 30/30, at 45/45
                {"alice_nohash_0.wav", "training", "validation", "validation"},   // 24.06%
                {"bob_nohash_3.wav", "training", "training", "testing"},          // 77.03%
                {"carol_nohash_1.wav", "training", "training", "testing"},        // 87.93%
                {"dave.wav", "training", "testing", "validation"},                // no _nohash_: whole name hashed
                {"en-us.f2_nohash_0.wav", "testing", "validation", "validation"}, // 13.42%
                {"x_nohash_y_nohash_2.wav", "validation", "validation", "validation"}, // cut at the first _nohash_
                {"\u00e9mile_nohash_0.wav", "validation", "validation", "validation"}, // UTF-8 bytes hashed
        };
        for (String[] c : cases) {
            assertEquals(c[1], SplitPolicy.whichSet(c[0], 10, 10).tfName(), c[0] + " 10/10");
            assertEquals(c[2], SplitPolicy.whichSet(c[0], 30, 30).tfName(), c[0] + " 30/30");
            assertEquals(c[3], SplitPolicy.whichSet(c[0], 45, 45).tfName(), c[0] + " 45/45");
        }
    }

    @Test
    void whichSetIgnoresFolderAndUtteranceNumber() {
        for (int n = 0; n < 5; n++) {
            assertEquals(SplitPolicy.whichSet("a1b2c3d4_nohash_0.wav", 10, 10),
                    SplitPolicy.whichSet("/some/where/stop/a1b2c3d4_nohash_" + n + ".wav", 10, 10));
        }
    }

    @Test
    void whichSetGivesRoughlyTheAskedProportions() {
        int[] counts = new int[3];
        for (int i = 0; i < 20000; i++) counts[SplitPolicy.whichSet(Integer.toHexString(i * 7919) + "_nohash_0.wav", 10, 20).ordinal()]++;
        assertEquals(0.70, counts[Split.TRAINING.ordinal()] / 20000.0, 0.02);
        assertEquals(0.10, counts[Split.VALIDATION.ordinal()] / 20000.0, 0.015);
        assertEquals(0.20, counts[Split.TESTING.ordinal()] / 20000.0, 0.02);
    }

    @Test
    void listsDecideWhenPresentAndMissingListIsNamed() throws IOException {
        Path root = Fixtures.tree(tmp.resolve("d"), List.of("yes", "no"), 3, 1, 0, false);
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(root);
        assertFalse(ds.hasSplitLists());
        IOException e = assertThrows(IOException.class, () -> SplitPolicy.lists(ds));
        assertTrue(e.getMessage().contains(SpeechCommandsDataset.VALIDATION_LIST), e.getMessage());

        Clip v = ds.clips().get(0), t = ds.clips().get(1);
        Files.writeString(root.resolve(SpeechCommandsDataset.VALIDATION_LIST), v.relativePath() + "\n\n");
        Files.writeString(root.resolve(SpeechCommandsDataset.TESTING_LIST), "./" + t.relativePath() + "\r\n");
        SpeechCommandsDataset ds2 = SpeechCommandsDataset.open(root);
        assertTrue(ds2.hasSplitLists());
        SplitPolicy p = SplitPolicy.auto(ds2);
        assertEquals(Split.VALIDATION, p.splitOf(ds2.clips().get(0)));
        assertEquals(Split.TESTING, p.splitOf(ds2.clips().get(1)));
        for (int i = 2; i < ds2.clips().size(); i++) assertEquals(Split.TRAINING, p.splitOf(ds2.clips().get(i)));
    }

    @Test
    void speakerSplitHoldsWholeSpeakersOutAndIsSeeded() throws IOException {
        Path root = Fixtures.tree(tmp.resolve("d"), List.of("yes", "no", "up"), 20, 2, 0, false);
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(root);
        SplitPolicy p = SplitPolicy.speakerHeldOut(ds, 10, 20, 42);
        Map<String, Split> bySpeaker = new HashMap<>();
        int[] speakers = new int[3];
        for (Clip c : ds.clips()) {
            Split s = p.splitOf(c);
            Split before = bySpeaker.putIfAbsent(c.speaker(), s);
            if (before == null) speakers[s.ordinal()]++;
            else assertEquals(before, s, "speaker " + c.speaker() + " in two splits");
        }
        assertEquals(2, speakers[Split.VALIDATION.ordinal()]);
        assertEquals(4, speakers[Split.TESTING.ordinal()]);
        assertEquals(14, speakers[Split.TRAINING.ordinal()]);

        SplitPolicy same = SplitPolicy.speakerHeldOut(ds, 10, 20, 42);
        SplitPolicy other = SplitPolicy.speakerHeldOut(ds, 10, 20, 43);
        boolean differs = false;
        for (Clip c : ds.clips()) {
            assertEquals(p.splitOf(c), same.splitOf(c));
            differs |= p.splitOf(c) != other.splitOf(c);
        }
        assertTrue(differs, "another seed should hold out other speakers");
        Clip stranger = new Clip(tmp.resolve("x.wav"), "yes/zzz_nohash_0.wav", "yes", "zzz");
        assertThrows(IllegalArgumentException.class, () -> p.splitOf(stranger));
    }

    @Test
    void badPercentagesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SplitPolicy.tensorflowHash(60, 50));
        assertThrows(IllegalArgumentException.class, () -> SplitPolicy.tensorflowHash(-1, 10));
    }

    @Test
    void speakerSplitSendsSilenceClipsByHashAndKeepsOneSpeakerPerSplitInSmallPools() throws IOException {
        Path root = Fixtures.tree(tmp.resolve("d"), List.of("yes"), 4, 2, 30, false);
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(root);
        assertEquals(4, ds.speakers().size(), "silence clips are not speakers");
        SplitPolicy p = SplitPolicy.speakerHeldOut(ds, 10, 10, 5);
        java.util.Set<String> val = new java.util.HashSet<>(), test = new java.util.HashSet<>();
        for (Clip c : ds.clips()) {
            Split s = p.splitOf(c);
            if (c.isSilence()) {
                assertEquals(SplitPolicy.whichSet(c.fileName(), 10, 10), s, c.toString());
            } else if (s == Split.VALIDATION) {
                val.add(c.speaker());
            } else if (s == Split.TESTING) {
                test.add(c.speaker());
            }
        }
        assertEquals(1, val.size());
        assertEquals(1, test.size());
        assertNotEquals(val, test);
    }

    /** One person's enrolled word next to a many-speaker dataset: split by take, the other words as before. */
    @Test
    void aWordOfOneSpeakerIsSplitByTake() throws IOException {
        Path root = Fixtures.tree(tmp.resolve("d"), List.of("yes", "no"), 20, 2, 0, false);
        for (int n = 0; n < 20; n++) {
            Fixtures.wav(root.resolve("computer").resolve("me_nohash_" + n + ".wav"), Fixtures.tone(n, 1600));
        }
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(root);
        SplitPolicy hash = SplitPolicy.tensorflowHash(10, 10);
        assertEquals(1, ds.clips().stream().filter(c -> c.word().equals("computer")).map(hash::splitOf).distinct().count(),
                "the hash rule alone puts the one speaker on one side");
        SplitPolicy p = SplitPolicy.takesWhereSpeakersFail(ds, hash, 10);
        List<String> validation = new java.util.ArrayList<>();
        for (Clip c : ds.clips()) {
            if (c.word().equals("computer")) {
                if (p.splitOf(c) == Split.VALIDATION) validation.add(c.fileName());
                else assertEquals(Split.TRAINING, p.splitOf(c), c.toString());
            } else {
                assertEquals(hash.splitOf(c), p.splitOf(c), c + " keeps the hash rule's split");
            }
        }
        // In take order, every tenth: takes 9 and 19.
        assertEquals(List.of("me_nohash_19.wav", "me_nohash_9.wav"), validation.stream().sorted().toList());
        assertTrue(p.describe().contains("'computer' (1 speaker) by take, 2 of 20 to validation"), p.describe());
        assertSame(hash, SplitPolicy.takesWhereSpeakersFail(SpeechCommandsDataset.open(
                Fixtures.tree(tmp.resolve("e"), List.of("yes"), 20, 2, 0, false)), hash, 10), "nothing to change");
    }

    /** Two clips of one speaker: one of each. */
    @Test
    void twoTakesGiveOneToEachSide() throws IOException {
        Path root = tmp.resolve("t");
        for (int n = 0; n < 2; n++) Fixtures.wav(root.resolve("jarvis").resolve("me_nohash_" + n + ".wav"), Fixtures.tone(n, 1600));
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(root);
        SplitPolicy p = SplitPolicy.takesWhereSpeakersFail(ds, SplitPolicy.tensorflowHash(10, 10), 10);
        assertEquals(java.util.Set.of(Split.TRAINING, Split.VALIDATION),
                ds.clips().stream().map(p::splitOf).collect(java.util.stream.Collectors.toSet()));
    }
}
