package dev.earshot.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One model shared by many spotters and clip classifications on many threads, with spotters opened and closed
 * while others run, for a fixed time: every result equals the serial run's, and nothing leaks (the model
 * closes cleanly once the last spotter is closed).
 */
class ConcurrencyStressTest {
    private static final int THREADS = 8;
    private static final long MILLIS = 3000;

    private static float[] audio(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] a = new float[16000 * 2];
        for (int i = 0; i < a.length; i++) a[i] = (float) (0.2 * rng.nextGaussian() * Math.sin(i / (500.0 + seed)));
        return a;
    }

    /** All window posteriors of a spotter over the audio, concatenated. */
    private static float[] spot(KeywordModel m, float[] pcm, int chunk) {
        List<Float> out = new ArrayList<>();
        SpotterListener l = new SpotterListener() {
            public void onDetection(Detection d) {}

            public void onPosteriors(long t, float[] p, float[] smoothed) {
                for (float v : p) out.add(v);
            }
        };
        try (Spotter s = new Spotter(m, DetectionSettings.defaults(), l)) {
            for (int i = 0; i < pcm.length; i += chunk) s.accept(pcm, i, Math.min(chunk, pcm.length - i));
        }
        float[] r = new float[out.size()];
        for (int i = 0; i < r.length; i++) r[i] = out.get(i);
        return r;
    }

    @Test
    void sharedModelGivesSerialResultsUnderLoad() throws Exception {
        KeywordModel m = KeywordModel.create(ModelFileTest.tinyModel(21));
        int kinds = 4;
        float[][] pcm = new float[kinds][];
        float[][] serialSpot = new float[kinds][];
        float[][] serialClip = new float[kinds][];
        for (int k = 0; k < kinds; k++) {
            pcm[k] = audio(k);
            serialSpot[k] = spot(m, pcm[k], 1600);
            List<Prediction> p = m.classify(pcm[k]);
            serialClip[k] = new float[] {p.get(0).confidence(), m.labels().indexOf(p.get(0).label())};
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MILLIS);
        List<Future<Integer>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            final int id = t;
            done.add(pool.submit(() -> {
                start.await();
                SplittableRandom rng = new SplittableRandom(id);
                int runs = 0;
                while (System.nanoTime() < deadline) {
                    int k = rng.nextInt(kinds);
                    if (rng.nextInt(4) == 0) {
                        List<Prediction> p = m.classify(pcm[k]);
                        if (p.get(0).confidence() != serialClip[k][0] || m.labels().indexOf(p.get(0).label()) != (int) serialClip[k][1]) {
                            failures.add("thread " + id + ": clip " + k + " differs");
                        }
                    } else {
                        // a chunk size of its own each time: spotters are opened, run and closed continually
                        float[] got = spot(m, pcm[k], 160 * (1 + rng.nextInt(30)));
                        if (!java.util.Arrays.equals(serialSpot[k], got)) failures.add("thread " + id + ": stream " + k + " differs");
                    }
                    runs++;
                }
                return runs;
            }));
        }
        start.countDown();
        int total = 0;
        for (Future<Integer> f : done) total += f.get(MILLIS + 60_000, TimeUnit.MILLISECONDS);
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(List.of(), new ArrayList<>(failures));
        assertTrue(total >= THREADS, "runs: " + total);
        m.close();  // refuses if any spotter's native stream were still open
    }

    @Test
    void closingASpotterWhileAnotherThreadPushesIsRefusedCleanly() throws Exception {
        try (KeywordModel m = KeywordModel.create(ModelFileTest.tinyModel(22))) {
            float[] pcm = audio(9);
            for (int round = 0; round < 20; round++) {
                Spotter s = new Spotter(m, DetectionSettings.defaults(), d -> {});
                ExecutorService one = Executors.newSingleThreadExecutor();
                Future<String> pusher = one.submit(() -> {
                    try {
                        for (int i = 0; ; i = (i + 160) % (pcm.length - 160)) s.accept(pcm, i, 160);
                    } catch (IllegalStateException e) {
                        return e.getMessage();  // closed under it: refused, not crashed
                    }
                });
                Thread.sleep(5 + round);
                s.close();
                String msg = pusher.get(30, TimeUnit.SECONDS);
                assertTrue(msg.contains("closed"), msg);
                one.shutdown();
            }
        }
    }
}
