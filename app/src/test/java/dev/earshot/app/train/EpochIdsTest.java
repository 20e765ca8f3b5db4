package dev.earshot.app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** An epoch's draw: every command word once, unknown words uniformly or by hardness, silences; shuffled. */
class EpochIdsTest {
    private static final List<Integer> KNOWN = List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    private static final List<Integer> UNKNOWN = List.of(100, 101, 102, 103);
    private static final List<Integer> SILENCE = List.of(200);

    @Test
    void everyWordOnceThenUnknownsAndSilences() {
        int[] ids = Trainer.epochIds(KNOWN, UNKNOWN, SILENCE, 7, 3, null, 0.5f, new SplittableRandom(1));
        assertEquals(20, ids.length);
        int[] counts = counts(ids);
        for (int k : KNOWN) assertEquals(1, counts[k]);
        assertEquals(7, counts[100] + counts[101] + counts[102] + counts[103]);
        assertEquals(3, counts[200]);
        assertTrue(!Arrays.equals(ids, Arrays.stream(ids).sorted().toArray()), "shuffled");
    }

    /** Half the unknown draws by hardness: a clip of hardness 0 is only drawn uniformly, the hardest most often. */
    @Test
    void hardDrawsFollowHardness() {
        double[] hardness = {0, 0, 0, 3};
        int n = 40_000;
        int[] ids = Trainer.epochIds(List.of(), UNKNOWN, List.of(), n, 0, hardness, 0.5f, new SplittableRandom(2));
        int[] counts = counts(ids);
        // uniform half: n/8 each; hard half: all on 103
        for (int u = 100; u < 103; u++) assertEquals(n / 8.0, counts[u], 0.05 * n / 8, "clip " + u);
        assertEquals(n / 8.0 + n / 2.0, counts[103], 0.05 * n / 2);
        int[] none = Trainer.epochIds(List.of(), UNKNOWN, List.of(), n, 0, hardness, 0f, new SplittableRandom(2));
        assertEquals(n / 4.0, counts(none)[103], 0.05 * n / 4, "a share of 0 draws uniformly");
        assertArrayEquals(none, Trainer.epochIds(List.of(), UNKNOWN, List.of(), n, 0, null, 0.5f, new SplittableRandom(2)),
                "no hardness (the first epoch): the same draws as without hard negatives");
    }

    private static int[] counts(int[] ids) {
        int[] c = new int[201];
        for (int i : ids) c[i]++;
        return c;
    }
}
