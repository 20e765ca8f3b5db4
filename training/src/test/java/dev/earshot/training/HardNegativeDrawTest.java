package dev.earshot.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hard-negative peaks on a hand-made score trace, epoch draws of negative items, and hard windows in checkpoints. */
class HardNegativeDrawTest {
    @TempDir
    Path dir;

    @Test
    void peaksAreTheHighestScoresApartAsTheWindowEndingWhereTheyWereRead() {
        int n = 200;  // 4 s of posteriors every 20 ms
        long[] t = new long[n];
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            t[i] = 500 + 20L * i;            // stamped at the middle of a 1 s clip, as the spotter does
            s[i] = 0.01f * (i % 7);
        }
        s[40] = 0.9f;   // the best
        s[45] = 0.8f;   // 100 ms from it: suppressed
        s[120] = 0.7f;  // the second
        s[180] = 0.6f;  // the third, not asked for
        List<HardNegativeMiner.Window> w = HardNegativeMiner.peaks(3, t, s, 16000, 16000, 2, 500);
        assertEquals(2, w.size());
        assertEquals(3, w.get(0).recording());
        assertEquals(0.9f, w.get(0).score());
        assertEquals(0.7f, w.get(1).score());
        // read at t + 500 ms; the window is the second before: start = t + 500 - 1000 ms
        assertEquals((500 + 20 * 40 + 500 - 1000) * 16, w.get(0).start());
        assertEquals((500 + 20 * 120 + 500 - 1000) * 16, w.get(1).start());
        assertEquals(4, HardNegativeMiner.peaks(0, t, s, 16000, 16000, 4, 500).size());
    }

    @Test
    void epochsDrawNegativeItemsAndTheHardShareOfThem() {
        List<Integer> known = List.of(0, 1, 2, 3), unknowns = List.of(4), silences = List.of(5);
        int recordings = 7, hard = 3, nNeg = 20000;
        int[] ids = Trainer.epochIds(known, known.size(), unknowns, silences, 2, 2, new SplittableRandom(1), nNeg, recordings, hard, 0.25f);
        assertEquals(4 + 2 + 2 + nNeg, ids.length);
        int neg = 0, fromHard = 0;
        for (int id : ids) {
            if (id > BatchMaker.negativeId(0)) continue;
            int item = -2 - id;
            assertTrue(item >= 0 && item < recordings + hard, "item " + item);
            neg++;
            if (item >= recordings) fromHard++;
        }
        assertEquals(nNeg, neg);
        assertEquals(0.25, fromHard / (double) nNeg, 0.02);
        // Without negatives the draws are what they were before negatives existed: the same ids in the same order.
        int[] plain = Trainer.epochIds(known, known.size(), unknowns, silences, 2, 2, new SplittableRandom(9), 0, 0, 0, 0f);
        assertEquals(8, plain.length);
        for (int id : plain) assertTrue(id >= 0 && id <= 5);
    }

    @Test
    void fewClipsAreRepeatedUpToTheLeastWordDraws() {
        List<Integer> known = List.of(10, 11, 12, 13), unknowns = List.of(4), silences = List.of(5);
        int[] ids = Trainer.epochIds(known, 10, unknowns, silences, 1, 1, new SplittableRandom(3), 0, 0, 0, 0f);
        assertEquals(12, ids.length);
        int[] times = new int[4];
        for (int id : ids) if (id >= 10) times[id - 10]++;
        // Ten draws of four clips: every clip twice, the first two a third time.
        assertArrayEquals(new int[] {3, 3, 2, 2}, times);
    }

    @Test
    void checkpointsKeepTheHardWindows() throws Exception {
        List<HardNegativeMiner.Window> hard = new ArrayList<>(List.of(new HardNegativeMiner.Window(2, -4000, 0.75f),
                new HardNegativeMiner.Window(0, 12345, 0.5f)));
        Path f = dir.resolve("x.ckpt");
        new Checkpoint(Map.of("a", "b"), 3, new float[] {1, 2}, new float[2], new float[2], 7, new float[] {1, 2}, 0.5, 2,
                new float[] {0}, new float[] {1}, List.of(), new float[0], hard).save(f);
        assertEquals(hard, Checkpoint.load(f).hard());
    }
}
