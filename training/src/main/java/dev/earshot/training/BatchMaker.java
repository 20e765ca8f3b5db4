package dev.earshot.training;

import dev.earshot.audio.Mfcc;
import dev.earshot.datasets.Augmenter;
import dev.earshot.datasets.BackgroundNoise;
import dev.earshot.datasets.NegativeAudio;
import dev.earshot.datasets.PitchShift;
import dev.earshot.datasets.RoomReverb;
import dev.earshot.datasets.SpecAugment;
import dev.earshot.datasets.SpeedPerturbation;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Turns example ids into a batch of feature frames, with the anchor recipe's augmentation when training
 * (datasets' {@link Augmenter}: time shift and background noise; silence half real at a random gain, half
 * made from noise; optional speed perturbation; {@link SpecAugment} masks on the log-mel before the DCT,
 * filled with the clip's mean). Each clip draws from its own generator seeded from the epoch's, so a batch
 * is the same whatever the threads do; clips are featurized in parallel.
 */
final class BatchMaker {
    /** Id of a silence example made from background noise alone. */
    static final int NOISE_SILENCE = -1;

    /**
     * The id of negative item {@code item}: items below the number of negative recordings are a window of that
     * recording at a fresh offset; the rest are the hard windows mined last ({@link #setHardWindows}), in order.
     */
    static int negativeId(int item) {
        return -2 - item;
    }

    private final Mfcc mfcc;
    private final List<Example> examples;
    private final Augmenter augmenter;
    private final TrainSettings s;
    private final int clipSamples;
    private final int silenceLabel;
    private final int frames, bands, coefs;
    private final float[][] clean;       // normalized clean frames per example (from the feature cache), or null
    private final boolean augmenting;
    private final NegativeAudio negatives;  // or null
    private final int unknownLabel;
    private volatile List<HardNegativeMiner.Window> hard = List.of();
    private final RoomReverb rooms;  // or null
    /** Rooms generated per run (seeded by the run's seed): enough variety, made in about a second. */
    static final int ROOMS = 64;

    /**
     * @param clean the examples' clean, normalized frames, read from the feature cache: used for validation and
     *              whenever no augmentation is configured, so those epochs read frames rather than audio (null:
     *              compute them from the PCM)
     */
    BatchMaker(Mfcc mfcc, List<Example> examples, float[][] clean, BackgroundNoise noise, TrainSettings s,
               int clipSamples, int silenceLabel) {
        this(mfcc, examples, clean, noise, s, clipSamples, silenceLabel, null, -1);
    }

    /** @param negatives audio whose windows are {@code unknownLabel} examples ({@link #negativeId}), or null */
    BatchMaker(Mfcc mfcc, List<Example> examples, float[][] clean, BackgroundNoise noise, TrainSettings s,
               int clipSamples, int silenceLabel, NegativeAudio negatives, int unknownLabel) {
        this.negatives = negatives;
        this.unknownLabel = unknownLabel;
        this.mfcc = mfcc;
        this.examples = examples;
        this.augmenter = new Augmenter(noise, new Augmenter.Settings(s.noiseProbability(), s.noiseVolume(),
                s.shiftSamples(), 1.0));
        this.s = s;
        this.clipSamples = clipSamples;
        this.silenceLabel = silenceLabel;
        this.frames = mfcc.frameCount(clipSamples);
        this.bands = mfcc.settings().melBands();
        this.coefs = mfcc.coefficients();
        this.clean = clean;
        this.augmenting = s.noiseProbability() > 0 || s.shiftSamples() > 0 || s.timeMasks() > 0 || s.bandMasks() > 0
                || s.speedPerturbation() > 0 || s.pitchPerturbation() > 0 || s.reverbProbability() > 0;
        this.rooms = s.reverbProbability() > 0
                ? new RoomReverb(ROOMS, mfcc.settings().sampleRate(), clipSamples, s.seed() ^ 0x800L) : null;
    }

    /** The hard windows that negative items past the recordings refer to (from the last mining). */
    void setHardWindows(List<HardNegativeMiner.Window> windows) {
        hard = List.copyOf(windows);
    }

    int frames() {
        return frames;
    }

    int coefficients() {
        return coefs;
    }

    /**
     * Fills x [count, frames, coefficients] and y [count] from ids[from, from + count).
     *
     * @param rng the epoch's generator (advanced by one draw per clip), or null for clean features
     */
    void fill(int[] ids, int from, int count, SplittableRandom rng, float[] x, int[] y) {
        fill(ids, from, count, rng == null ? null : seeds(count, rng), x, y, null);
    }

    /** The per-row seeds {@link #fill} draws from the epoch's generator: one draw per row. */
    static long[] seeds(int count, SplittableRandom rng) {
        long[] seeds = new long[count];
        for (int i = 0; i < count; i++) seeds[i] = rng.nextLong();
        return seeds;
    }

    /**
     * {@link #fill} with the rows' seeds drawn beforehand (null: clean features), computing only the rows where
     * {@code needed} is true (null: all): a data-parallel replica makes the rows of the clips it holds exactly as one
     * machine makes them.
     */
    void fill(int[] ids, int from, int count, long[] seeds, float[] x, int[] y, boolean[] needed) {
        IntStream.range(0, count).parallel().forEach(i -> {
            int id = ids[from + i];
            if (needed != null && !needed[i]) return;
            SplittableRandom r = seeds == null ? null : new SplittableRandom(seeds[i]);
            if (id >= 0 && clean != null && (r == null || !augmenting)) {
                y[i] = examples.get(id).label();
                System.arraycopy(clean[id], 0, x, i * frames * coefs, frames * coefs);
                return;
            }
            float[] pcm;
            if (id <= negativeId(0)) {
                SplittableRandom nr = r == null ? new SplittableRandom(from + i) : r;
                pcm = augmenter.augment(reverberate(negativeWindow(-2 - id, nr), nr), nr);
                y[i] = unknownLabel;
            } else if (id == NOISE_SILENCE) {
                pcm = augmenter.silence(r == null ? new SplittableRandom(from + i) : r);
                y[i] = silenceLabel;
            } else {
                Example e = examples.get(id);
                y[i] = e.label();
                pcm = r == null ? e.pcm() : augment(e, r);
            }
            featurize(pcm, r, x, i * frames * coefs);
        });
    }

    /** Negative item {@code item}'s samples: a fresh window of a recording, or a mined hard window. */
    private float[] negativeWindow(int item, SplittableRandom r) {
        int n = negatives.size();
        if (item < n) return negatives.window(item, negatives.randomStart(item, clipSamples, r), clipSamples);
        HardNegativeMiner.Window w = hard.get(item - n);
        return negatives.window(w.recording(), w.start(), clipSamples);
    }

    /**
     * {@code count} augmented windows of random negative recordings, featurized: [count, frames, coefficients],
     * the other audio placed before clips in continuous training ({@link #withContext}).
     */
    float[] negativeContext(int count, SplittableRandom rng) {
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) ids[i] = negativeId(rng.nextInt(negatives.size()));
        float[] x = new float[count * frames * coefs];
        fill(ids, 0, count, rng, x, new int[count]);
        return x;
    }

    private float[] augment(Example e, SplittableRandom r) {
        if (e.label() == silenceLabel) {
            if (r.nextBoolean()) return scaled(e.pcm(), (float) (0.5 + r.nextDouble()));
            return augmenter.silence(r);
        }
        float[] w = e.pcm();
        if (s.speedPerturbation() > 0) {
            // Nine factors across the range, not a continuum: each factor's band-limited filter is designed once
            // (about 6 ms) and cached, where a fresh factor per clip made epochs 20 times slower.
            double f = 1 + s.speedPerturbation() * (r.nextInt(9) - 4) / 4.0;
            float[] fast = SpeedPerturbation.apply(w, mfcc.settings().sampleRate(), f);
            w = centred(fast);
        }
        if (s.pitchPerturbation() > 0) {
            // Nine factors, as speed: each one's resampling filter is cached.
            w = PitchShift.apply(w, mfcc.settings().sampleRate(), 1 + s.pitchPerturbation() * (r.nextInt(9) - 4) / 4.0);
        }
        return augmenter.augment(reverberate(w, r), r);
    }

    /** {@code w} played in a random generated room, with probability {@code reverbProbability}. */
    private float[] reverberate(float[] w, SplittableRandom r) {
        if (rooms == null || r.nextDouble() >= s.reverbProbability()) return w;
        return rooms.apply(w, r.nextInt(rooms.rooms()));
    }

    private static float[] scaled(float[] a, float g) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) out[i] = Math.max(-1f, Math.min(1f, a[i] * g));
        return out;
    }

    private float[] centred(float[] w) {
        float[] out = new float[clipSamples];
        if (w.length >= clipSamples) System.arraycopy(w, (w.length - clipSamples) / 2, out, 0, clipSamples);
        else System.arraycopy(w, 0, out, (clipSamples - w.length) / 2, w.length);
        return out;
    }

    /**
     * The batch x [b, frames, coefs] with {@code context} frames of other clips before each clip: row i becomes
     * [the last frames of random other rows of the batch (as many clips as it takes), then row i]. Training on
     * these teaches the GRU to classify the latest clip whatever preceded it, which is what a stream run
     * without resets asks of it.
     */
    static float[] withContext(float[] x, int b, int frames, int coefs, int context, SplittableRandom r) {
        return withContext(x, b, frames, coefs, context, r, null, 0, 0);
    }

    /**
     * {@link #withContext(float[], int, int, int, int, SplittableRandom)}, each piece of context taken with
     * probability {@code poolShare} from a random row of {@code pool} [poolRows, frames, coefs] (negative audio)
     * instead of another row of the batch.
     */
    static float[] withContext(float[] x, int b, int frames, int coefs, int context, SplittableRandom r, float[] pool,
                               int poolRows, double poolShare) {
        return Context.plan(b, frames, context, r, pool == null ? 0 : poolRows, poolShare).apply(x, pool, coefs, 0, b);
    }

    /**
     * Where each row's context comes from, drawn once: for row i, pieces (newest first) of {@code take} frames from
     * the end of a batch row or a pool row. A data-parallel replica draws it in one machine's order, then cuts only its
     * own rows with their context.
     *
     * @param source per row, per piece: a batch row (≥ 0) or pool row j as −1 − j
     */
    record Context(int batch, int frames, int context, int[][] source, int[][] take) {
        /** The draws of {@link #withContext}, in its order (a pool only when {@code poolRows} > 0). */
        static Context plan(int b, int frames, int context, SplittableRandom r, int poolRows, double poolShare) {
            int[][] source = new int[b][], take = new int[b][];
            int pieces = context == 0 ? 0 : (context + frames - 1) / frames;
            for (int i = 0; i < b; i++) {
                source[i] = new int[pieces];
                take[i] = new int[pieces];
                int k = 0;
                for (int need = context; need > 0; k++) {
                    int t = Math.min(need, frames);
                    if (poolRows > 0 && r.nextDouble() < poolShare) source[i][k] = -1 - r.nextInt(poolRows);
                    else source[i][k] = b == 1 ? i : (i + 1 + r.nextInt(b - 1)) % b;
                    take[i][k] = t;
                    need -= t;
                }
            }
            return new Context(b, frames, context, source, take);
        }

        /** Rows [lo, hi) of the batch with their context: [hi − lo, context + frames, coefs]. */
        float[] apply(float[] x, float[] pool, int coefs, int lo, int hi) {
            int t2 = context + frames;
            float[] out = new float[(hi - lo) * t2 * coefs];
            for (int i = lo; i < hi; i++) {
                int o = i - lo;
                int end = (o * t2 + context) * coefs;  // where the context ends and the clip begins
                for (int k = 0; k < source[i].length; k++) {
                    int t = take[i][k], s = source[i][k];
                    float[] from = s >= 0 ? x : pool;
                    int row = s >= 0 ? s : -1 - s;
                    System.arraycopy(from, (row * frames + frames - t) * coefs, out, end - t * coefs, t * coefs);
                    end -= t * coefs;
                }
                System.arraycopy(x, i * frames * coefs, out, (o * t2 + context) * coefs, frames * coefs);
            }
            return out;
        }
    }

    /** log-mel → SpecAugment masks (training only) → DCT and normalization, into x at offset. */
    private void featurize(float[] pcm, SplittableRandom r, float[] x, int offset) {
        float[] logMel = new float[frames * bands];
        mfcc.logMel(pcm, 0, clipSamples, logMel, 0);
        if (r != null && (s.timeMasks() > 0 || s.bandMasks() > 0)) {
            double sum = 0;
            for (float v : logMel) sum += v;
            float fill = (float) (sum / logMel.length);
            SpecAugment.timeMasks(logMel, frames, bands, s.timeMasks(), s.timeMaskWidth(), fill, r);
            SpecAugment.frequencyMasks(logMel, frames, bands, s.bandMasks(), s.bandMaskWidth(), fill, r);
        }
        mfcc.cepstra(logMel, 0, frames, x, offset);
    }
}
