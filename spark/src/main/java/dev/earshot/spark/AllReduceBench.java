package dev.earshot.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.sql.SparkSession;

/**
 * The ring all-reduce's cost between the tasks of a barrier stage, as training uses it: {@code rounds} sums of a
 * vector of {@code floats} after {@code warmup} untimed ones, back to back, timed on every rank.
 */
public final class AllReduceBench {
    private AllReduceBench() {}

    /** Milliseconds per sum on each rank (sorted), and the stage's ring set-up (listen + allGather + connect). */
    public record Times(int workers, int floats, double[][] millis, double setupMillis) implements Serializable {
        public double median() {
            double[] all = Arrays.stream(millis).flatMapToDouble(Arrays::stream).sorted().toArray();
            return all[all.length / 2];
        }

        public double percentile(double p) {
            double[] all = Arrays.stream(millis).flatMapToDouble(Arrays::stream).sorted().toArray();
            return all[Math.min(all.length - 1, (int) Math.floor(p * all.length))];
        }
    }

    public static Times run(SparkSession spark, int workers, int floats, int warmup, int rounds) {
        List<double[]> rows = BarrierStage.of(spark, workers, double[].class, ctx -> rank(ctx, floats, warmup, rounds))
                .collect();
        double[][] millis = new double[rows.size()][];
        double setup = 0;
        for (int i = 0; i < rows.size(); i++) {
            double[] r = rows.get(i);
            setup = Math.max(setup, r[0]);
            millis[i] = Arrays.copyOfRange(r, 1, r.length);
            Arrays.sort(millis[i]);
        }
        return new Times(workers, floats, millis, setup);
    }

    private static Iterator<double[]> rank(BarrierTaskContext ctx, int floats, int warmup, int rounds) throws IOException {
        long t0 = System.nanoTime();
        try (RingAllReduce ring = BarrierStage.ring(ctx, 60_000)) {
            double[] out = new double[rounds + 1];
            out[0] = (System.nanoTime() - t0) / 1e6;
            float[] v = new float[floats];
            for (int i = 0; i < floats; i++) v[i] = (i % 7) * 1e-3f;
            for (int k = -warmup; k < rounds; k++) {
                long s = System.nanoTime();
                ring.sum(v);
                if (k >= 0) out[k + 1] = (System.nanoTime() - s) / 1e6;
                Arrays.fill(v, 1e-3f);  // keep the values small: the sums grow by size each round
            }
            return List.of(out).iterator();
        }
    }
}
