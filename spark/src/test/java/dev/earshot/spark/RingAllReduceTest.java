package dev.earshot.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The ring all-reduce between ranks on loopback sockets, each rank a thread: sums against a plain double sum, the
 * same bits on every rank, lengths that do not divide by the ranks (and shorter than them), one rank, the
 * clip-weighted mean, and a rank that dies making every other fail fast instead of hanging.
 */
class RingAllReduceTest {
    interface RankJob<T> {
        T run(RingAllReduce r) throws Exception;
    }

    /** Runs {@code job} on {@code n} linked ranks; returns each rank's result or throws the first failure. */
    static <T> List<T> onRing(int n, long timeoutMillis, RankJob<T> job) throws Exception {
        List<RingAllReduce> ranks = new ArrayList<>();
        for (int r = 0; r < n; r++) ranks.add(RingAllReduce.listen(r, n, "127.0.0.1", timeoutMillis));
        List<String> addresses = ranks.stream().map(RingAllReduce::address).toList();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> out = new ArrayList<>();
            for (RingAllReduce r : ranks) {
                out.add(pool.submit((Callable<T>) () -> {
                    try (r) {
                        r.connect(addresses);
                        return job.run(r);
                    }
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : out) results.add(f.get());
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static float[] vector(int rank, int length) {
        SplittableRandom rng = new SplittableRandom(1000 + rank);
        float[] v = new float[length];
        for (int i = 0; i < length; i++) v[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(5) - 2));
        return v;
    }

    @Test
    void sumsAndEveryRankHoldsTheSameBits() throws Exception {
        for (int n : new int[] {1, 2, 3, 5}) {
            for (int length : new int[] {0, 1, 2, 7, 1000, 100_003}) {
                List<float[]> got = onRing(n, 20_000, r -> {
                    float[] v = vector(r.rank(), length);
                    r.sum(v);
                    return v;
                });
                double[] want = new double[length];
                double[] mag = new double[length];
                for (int r = 0; r < n; r++) {
                    float[] v = vector(r, length);
                    for (int i = 0; i < length; i++) {
                        want[i] += v[i];
                        mag[i] += Math.abs(v[i]);
                    }
                }
                for (int i = 0; i < length; i++) {
                    assertEquals(want[i], got.get(0)[i], 1e-6 * mag[i] + 1e-30, "n=" + n + " length=" + length + " i=" + i);
                }
                for (int r = 1; r < n; r++) assertArrayEquals(got.get(0), got.get(r), 0f, "rank " + r + " of " + n);
            }
        }
    }

    @Test
    void meanOverClipsWeightsEachRankByItsExamples() throws Exception {
        int[] clips = {5, 7, 20};
        List<float[]> got = onRing(3, 20_000, r -> {
            float[] g = vector(r.rank(), 50);
            assertEquals(32, r.meanOverClips(g, clips[r.rank()]));
            return g;
        });
        for (int i = 0; i < 50; i++) {
            double want = 0;
            for (int r = 0; r < 3; r++) want += (double) vector(r, 50)[i] * clips[r];
            assertEquals(want / 32, got.get(0)[i], 1e-5 * Math.abs(want / 32) + 1e-7);
        }
        assertArrayEquals(got.get(0), got.get(2), 0f);
    }

    @Test
    void aRankThatDiesMakesEveryOtherFailFast() throws Exception {
        // Long timeout: the others must fail because rank 1 closed, not because they waited it out.
        long t0 = System.nanoTime();
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> onRing(4, 120_000, r -> {
                    float[] v = vector(r.rank(), 10_000);
                    r.sum(v);  // one round that works
                    if (r.rank() == 1) throw new IOException("rank 1 dies");
                    for (int i = 0; i < 3; i++) r.sum(v);
                    return v;
                }));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertInstanceOf(IOException.class, e.getCause());
        assertTrue(seconds < 20, "took " + seconds + " s");
    }

    @Test
    void refusesADifferentLengthOnTheNextRank() throws Exception {
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> onRing(2, 20_000, r -> {
                    float[] v = vector(r.rank(), r.rank() == 0 ? 100 : 101);
                    r.sum(v);
                    return v;
                }));
        assertTrue(e.getCause().getMessage().contains("floats, expected"), e.getCause().getMessage());
    }
}
