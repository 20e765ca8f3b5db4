package dev.earshot.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ring all-reduce between the tasks of a barrier stage on {@code local[4]}, linked as {@link SparkTrain} links
 * it ({@link BarrierStage#ring}: addresses through {@code allGather}): 1 and 4 ranks, lengths shorter than the ring and uneven, every rank
 * ending with the same bits; a rank that dies makes the stage fail within seconds, not hang.
 */
class RingAllReduceOnSparkTest {
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[4]").appName("earshot-ring-test")
                .config("spark.ui.enabled", "false").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Each rank's sums of vectors of each length (rank r's vector: (r + 1) · 0.1 + i · 1e-3), flattened. */
    static List<float[]> sums(int ranks, int[] lengths, int failingRank) {
        return BarrierStage.of(spark, ranks, float[].class, ctx -> rank(ctx, lengths, failingRank)).collect();
    }

    private static java.util.Iterator<float[]> rank(BarrierTaskContext ctx, int[] lengths, int failingRank)
            throws IOException {
        int rank = ctx.partitionId();
        try (RingAllReduce ring = BarrierStage.ring(ctx, 30_000)) {
            List<Float> out = new ArrayList<>();
            for (int len : lengths) {
                if (rank == failingRank) throw new IllegalStateException("rank " + rank + " dies before its first sum");
                float[] v = new float[len];
                for (int i = 0; i < len; i++) v[i] = (rank + 1) * 0.1f + i * 1e-3f;
                ring.sum(v);
                for (float f : v) out.add(f);
            }
            float[] a = new float[out.size()];
            for (int i = 0; i < a.length; i++) a[i] = out.get(i);
            return List.of(a).iterator();
        }
    }

    @Test
    void everyRankEndsWithTheSameSums() {
        int[] lengths = {0, 1, 3, 7, 1001, 100_003};
        for (int ranks : new int[] {1, 4}) {
            List<float[]> out = sums(ranks, lengths, -1);
            assertEquals(ranks, out.size());
            for (float[] o : out) assertArrayEquals(out.get(0), o, "every rank the same bits");
            int at = 0;
            for (int len : lengths) {
                for (int i = 0; i < len; i++, at++) {
                    double want = 0;
                    for (int r = 0; r < ranks; r++) want += (r + 1) * 0.1 + i * 1e-3;
                    assertEquals(want, out.get(0)[at], 1e-5 * Math.max(1, Math.abs(want)), ranks + " ranks, length " + len);
                }
            }
        }
    }

    @Test
    void aRankThatDiesFailsTheStageFast() {
        long t0 = System.nanoTime();
        Exception e = assertThrows(Exception.class, () -> sums(4, new int[] {1000}, 2));
        double s = (System.nanoTime() - t0) / 1e9;
        // Spark reports whichever task it saw fail first: the dead rank, a neighbour whose connection it closed, or (seen
        // once in ~20 runs) only that a barrier task of the result stage finished unsuccessfully, naming no cause.
        String m = String.valueOf(e.getMessage());
        assertTrue(m.contains("rank 2 dies") || m.contains("the previous rank closed the connection")
                || m.contains("Could not recover from a failed barrier ResultStage"), m);
        assertTrue(s < 20, "the stage failed in " + s + " s");
    }
}
