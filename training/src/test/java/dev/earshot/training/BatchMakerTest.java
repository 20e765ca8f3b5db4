package dev.earshot.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Context for continuous training: each row ends with its own clip, preceded by the tails of other clips. */
class BatchMakerTest {
    @Test
    void contextIsOtherClipsTailsThenTheClip() {
        int b = 5, frames = 4, coefs = 3;
        float[] x = new float[b * frames * coefs];
        // frame f of row r holds r * 100 + f in every coefficient: a frame says where it came from
        for (int r = 0; r < b; r++) {
            for (int f = 0; f < frames; f++) Arrays.fill(x, (r * frames + f) * coefs, (r * frames + f + 1) * coefs, r * 100 + f);
        }
        for (int context : new int[] {0, 1, 4, 9}) {
            float[] out = BatchMaker.withContext(x, b, frames, coefs, context, new SplittableRandom(context));
            int t2 = context + frames;
            assertEquals(b * t2 * coefs, out.length);
            for (int r = 0; r < b; r++) {
                float[] clip = Arrays.copyOfRange(out, (r * t2 + context) * coefs, (r + 1) * t2 * coefs);
                assertArrayEquals(Arrays.copyOfRange(x, r * frames * coefs, (r + 1) * frames * coefs), clip, "row " + r);
                // Context frames, read backwards from the clip: runs of the last frames of other rows, each run
                // ending with a frame 3 (a clip's last) and counting down without a gap.
                int expectFrame = frames - 1, source = -1;
                for (int t = context - 1; t >= 0; t--) {
                    float v = out[(r * t2 + t) * coefs];
                    for (int k = 1; k < coefs; k++) assertEquals(v, out[(r * t2 + t) * coefs + k]);
                    int row = (int) v / 100, f = (int) v % 100;
                    if (source < 0) {
                        assertNotEquals(r, row, "context comes from another clip");
                        source = row;
                    }
                    assertEquals(source, row, "one clip per run");
                    assertEquals(expectFrame, f, "context frame " + t + " of row " + r);
                    if (--expectFrame < 0) {
                        expectFrame = frames - 1;
                        source = -1;
                    }
                }
            }
        }
        assertTrue(BatchMaker.withContext(x, 1, frames * b, coefs, 3, new SplittableRandom(1)).length > 0);
    }

    @Test
    void contextPiecesComeFromTheNegativePoolAtItsShare() {
        int b = 8, frames = 4, coefs = 2, poolRows = 3, context = 4;  // one piece of context per row
        float[] x = new float[b * frames * coefs], pool = new float[poolRows * frames * coefs];
        for (int r = 0; r < b; r++) Arrays.fill(x, r * frames * coefs, (r + 1) * frames * coefs, r);
        for (int r = 0; r < poolRows; r++) Arrays.fill(pool, r * frames * coefs, (r + 1) * frames * coefs, 900 + r);
        for (double share : new double[] {0, 0.5, 1}) {
            int fromPool = 0, pieces = 0;
            SplittableRandom rng = new SplittableRandom(4);
            for (int rep = 0; rep < 200; rep++) {
                float[] out = BatchMaker.withContext(x, b, frames, coefs, context, rng, pool, poolRows, share);
                int t2 = context + frames;
                for (int r = 0; r < b; r++) {
                    float v = out[r * t2 * coefs];  // the first context frame of row r
                    for (int t = 0; t < context * coefs; t++) assertEquals(v, out[r * t2 * coefs + t], "one source per piece");
                    assertEquals(r, out[(r * t2 + context) * coefs], "the clip itself ends the row");
                    pieces++;
                    if (v >= 900) {
                        assertTrue(v < 900 + poolRows);
                        fromPool++;
                    } else {
                        assertNotEquals(r, (int) v, "context from another row");
                    }
                }
            }
            assertEquals(share, fromPool / (double) pieces, 0.05, "share " + share);
        }
    }

    /** A replica's rows with their context, cut from the whole batch, are one machine's rows. */
    @Test
    void aShareOfTheRowsWithContextIsOneMachines() {
        int b = 9, frames = 5, coefs = 2, context = 12, poolRows = 3;
        float[] x = new float[b * frames * coefs], pool = new float[poolRows * frames * coefs];
        for (int i = 0; i < x.length; i++) x[i] = i;
        for (int i = 0; i < pool.length; i++) pool[i] = 1000 + i;
        float[] whole = BatchMaker.withContext(x, b, frames, coefs, context, new SplittableRandom(4), pool, poolRows, 0.3);
        BatchMaker.Context plan = BatchMaker.Context.plan(b, frames, context, new SplittableRandom(4), poolRows, 0.3);
        int t2 = (context + frames) * coefs;
        for (int[] range : new int[][] {{0, 3}, {3, 6}, {6, 9}, {4, 4}}) {
            assertArrayEquals(Arrays.copyOfRange(whole, range[0] * t2, range[1] * t2),
                    plan.apply(x, pool, coefs, range[0], range[1]), "rows " + range[0] + "-" + range[1]);
        }
    }
}
