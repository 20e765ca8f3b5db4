package dev.earshot.training;

import dev.earshot.gru.Precision;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.api.KeywordModel;
import dev.earshot.audio.FeatureSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training against one machine: replicas in threads, summed through a plain in-memory
 * {@link DataParallel}, each holding the audio of its shard of the clips only, train the model one machine trains
 * with the same batch (up to float rounding), every replica ends with the same bits, and only replica 0 writes the
 * checkpoint.
 */
class DataParallelTrainingTest {
    @TempDir
    Path dir;

    /** Sums in rank order into one shared array that every replica then copies: the same bits everywhere. */
    static final class InMemory {
        final int size;
        final CyclicBarrier barrier;
        volatile float[][] parts;
        float[] total;

        InMemory(int size) {
            this.size = size;
            this.parts = new float[size][];
            this.barrier = new CyclicBarrier(size, () -> {
                float[] t = new float[parts[0].length];
                for (float[] p : parts) for (int i = 0; i < t.length; i++) t[i] += p[i];
                total = t;
            });
        }

        DataParallel replica(int rank) {
            return new DataParallel() {
                public int rank() { return rank; }
                public int size() { return size; }
                public void sum(float[] v) throws IOException {
                    parts[rank] = v;
                    try {
                        barrier.await();
                        System.arraycopy(total, 0, v, 0, v.length);
                        barrier.await();  // nobody overwrites parts or total before all have copied
                    } catch (Exception e) {
                        throw new IOException(e);
                    }
                }
            };
        }
    }

    /** Two "words" as tones, an unknown one, clips of random loudness, phase and noise. */
    static TrainingData tones() {
        List<String> labels = List.of(KeywordModel.SILENCE, KeywordModel.UNKNOWN, "low", "high");
        SplittableRandom r = new SplittableRandom(7);
        List<Example> train = new ArrayList<>(), val = new ArrayList<>();
        double[] hz = {0, 3000, 500, 1500};
        for (int label = 1; label < 4; label++) {
            for (int k = 0; k < 14; k++) {
                short[] pcm = new short[16000];
                double a = 0.1 + 0.4 * r.nextDouble(), ph = r.nextDouble() * 6.28;
                int start = r.nextInt(4000), len = 6000 + r.nextInt(5000);
                for (int i = 0; i < pcm.length; i++) {
                    double v = 0.01 * (r.nextDouble() - 0.5);
                    if (i >= start && i < start + len) v += a * Math.sin(ph + 2 * Math.PI * hz[label] * i / 16000);
                    pcm[i] = (short) Math.round(v * 32767);
                }
                Example e = new Example(labels.get(label) + "/s" + k + "_nohash_0.wav", null, "s" + k, label, pcm);
                (k < 11 ? train : val).add(e);
            }
        }
        return new TrainingData(labels, train, val, null, "tones");
    }

    static TrainSettings settings(int epochs) {
        TrainSettings d = TrainSettings.defaults();
        // Small and quick, but with what data-parallel steps must get right: augmentation, context, EMA, clipping.
        return new TrainSettings(24, 1, epochs, 10, 3e-3f, 0.1f, 1f, 5, 1, d.noiseProbability(), d.noiseVolume(),
                d.shiftSamples(), 0f, 0.5f, 1, 5, 1, 3, 0f, 0.9f, false, 0.05f, 20, null, 0, 0f, 0f, Precision.FP32);
    }

    static Trainer.Result train(TrainSettings s, Path ckpt, DataParallel p, int shardOf) throws IOException {
        return new Trainer(shard(tones(), 0, shardOf), FeatureSettings.defaults(), 16000, s, ckpt, false, null,
                new TrainingListener() {}).dataParallel(p).run();
    }

    static Trainer.Result train(TrainSettings s, Path ckpt, DataParallel p) throws IOException {
        return new Trainer(p == null ? tones() : shard(tones(), p.rank(), p.size()), FeatureSettings.defaults(), 16000,
                s, ckpt, false, null, new TrainingListener() {}).dataParallel(p).run();
    }

    /** Replica {@code rank}'s view, as DataLoader loads a shard: the audio of training clips i ≡ rank (mod n) only. */
    static TrainingData shard(TrainingData td, int rank, int n) {
        List<Example> train = new ArrayList<>();
        for (int i = 0; i < td.train().size(); i++) {
            Example e = td.train().get(i);
            train.add(i % n == rank ? e : new Example(e.path(), e.file(), e.speaker(), e.label(), null));
        }
        return new TrainingData(td.labels(), train, td.validation(), td.noise(), td.description());
    }

    @Test
    void twoReplicasTrainOneMachinesModelAndStayIdentical() throws Exception {
        TrainSettings s = settings(3);
        Trainer.Result one = train(s, dir.resolve("one.ckpt"), null);
        InMemory ring = new InMemory(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Trainer.Result>> f = new ArrayList<>();
            for (int rank = 0; rank < 2; rank++) {
                int k = rank;
                f.add(pool.submit(() -> train(s, dir.resolve("two.ckpt"), ring.replica(k))));
            }
            Trainer.Result r0 = f.get(0).get(), r1 = f.get(1).get();
            float[] a = one.model().gru().parameters(), b = r0.model().gru().parameters();
            assertArrayEquals(b, r1.model().gru().parameters(), "the replicas' models differ");
            double maxDiff = 0, maxAbs = 0;
            for (int i = 0; i < a.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                maxAbs = Math.max(maxAbs, Math.abs(a[i]));
            }
            System.out.printf("one machine vs two replicas: largest difference %.3g, largest weight %.3g%n", maxDiff, maxAbs);
            assertTrue(maxDiff < 1e-3 * maxAbs, "one machine and two replicas differ by " + maxDiff + " (largest weight "
                    + maxAbs + ")");
            for (int e = 0; e < 3; e++) {
                assertEquals(one.history().epochs().get(e).trainLoss(), r0.history().epochs().get(e).trainLoss(), 1e-4,
                        "epoch " + (e + 1) + "'s mean loss");
            }
            // The tolerance tells models apart: another seed's differs far more.
            float[] c = train(new TrainSettings(s.hidden(), s.layers(), s.epochs(), s.batch(), s.learningRate(),
                    s.weightDecay(), s.clipNorm(), s.seed() + 1, s.threads(), s.noiseProbability(), s.noiseVolume(),
                    s.shiftSamples(), s.silenceFraction(), s.unknownFraction(), s.timeMasks(), s.timeMaskWidth(),
                    s.bandMasks(), s.bandMaskWidth(), s.speedPerturbation(), s.emaDecay(), s.keepBest(),
                    s.labelSmoothing(), s.contextFrames(), null, 0, 0f, 0f, s.precision()), dir.resolve("c.ckpt"), null)
                    .model().gru().parameters();
            double otherDiff = 0;
            for (int i = 0; i < a.length; i++) otherDiff = Math.max(otherDiff, Math.abs(a[i] - c[i]));
            assertTrue(otherDiff > 100 * maxDiff, "another seed differs by " + otherDiff + ", two replicas by " + maxDiff);
            assertTrue(Files.exists(dir.resolve("two.ckpt")), "replica 0 writes the checkpoint");
            assertEquals("2", r0.model().provenance().get("data_parallel_replicas"));
            // A shard alone is not a training set.
            Exception e = assertThrows(IllegalArgumentException.class, () -> train(s, dir.resolve("x.ckpt"), null, 2));
            assertTrue(e.getMessage().contains("one replica's shard"), e.getMessage());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Replica 1 with another learning rate (the same draws, other updates) or another seed (other draws). */
    @Test
    void replicasThatDivergeOrDrawDifferentlyStopTheRun() throws Exception {
        TrainSettings s = settings(1);
        TrainSettings otherRate = new TrainSettings(s.hidden(), s.layers(), s.epochs(), s.batch(), 2 * s.learningRate(),
                s.weightDecay(), s.clipNorm(), s.seed(), s.threads(), s.noiseProbability(), s.noiseVolume(),
                s.shiftSamples(), s.silenceFraction(), s.unknownFraction(), s.timeMasks(), s.timeMaskWidth(),
                s.bandMasks(), s.bandMaskWidth(), s.speedPerturbation(), s.emaDecay(), s.keepBest(), s.labelSmoothing(),
                s.contextFrames(), null, 0, 0f, 0f, s.precision());
        TrainSettings otherSeed = new TrainSettings(s.hidden(), s.layers(), s.epochs(), s.batch(), s.learningRate(),
                s.weightDecay(), s.clipNorm(), s.seed() + 1, s.threads(), s.noiseProbability(), s.noiseVolume(),
                s.shiftSamples(), s.silenceFraction(), s.unknownFraction(), s.timeMasks(), s.timeMaskWidth(),
                s.bandMasks(), s.bandMaskWidth(), s.speedPerturbation(), s.emaDecay(), s.keepBest(), s.labelSmoothing(),
                s.contextFrames(), null, 0, 0f, 0f, s.precision());
        for (Object[] c : new Object[][] {{otherRate, "diverged"}, {otherSeed, "drew another batch"}}) {
            InMemory ring = new InMemory(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<Trainer.Result> a = pool.submit(() -> train(s, dir.resolve("a.ckpt"), ring.replica(0)));
                Future<Trainer.Result> b = pool.submit(() -> train((TrainSettings) c[0], dir.resolve("b.ckpt"),
                        ring.replica(1)));
                for (Future<Trainer.Result> f : List.of(a, b)) {
                    Exception e = assertThrows(java.util.concurrent.ExecutionException.class, f::get);
                    assertTrue(e.getCause().getMessage().contains((String) c[1]), e.getCause().getMessage());
                }
                assertFalse(Files.exists(dir.resolve("a.ckpt")), "nothing is checkpointed from diverged replicas");
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
