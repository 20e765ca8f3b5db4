package dev.earshot.training;

import dev.earshot.api.KeywordModel;
import dev.earshot.api.ModelFile;
import dev.earshot.audio.FeatureSettings;
import dev.earshot.audio.Mfcc;
import dev.earshot.gru.AdamSettings;
import dev.earshot.gru.GruConfig;
import dev.earshot.gru.GruModel;
import dev.earshot.gru.GruTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A training run: mini-batches through the native core, cosine learning-rate decay, validation after each
 * epoch, the best model by validation accuracy kept, and a checkpoint after each epoch from which
 * {@code resume} continues with nothing lost but the unfinished epoch. Every epoch draws from a generator
 * seeded by (seed, epoch), so a resumed run ends with exactly the model of an uninterrupted one.
 */
public final class Trainer {
    /** What a run produced. */
    public record Result(KeywordModel model, History history, double bestAccuracy, int bestEpoch,
                         int[][] confusion, List<String> labels) {}

    private final TrainingData data;
    private final FeatureSettings features;
    private final int clipSamples;
    private final TrainSettings s;
    private final Path checkpointFile;
    private final boolean resume;
    private final TrainingListener listener;
    private final Map<String, String> extraProvenance = new LinkedHashMap<>();

    private final Path featureCache;
    private KeywordModel miningModel;  // a given model to mine hard negatives with, once; or null
    private String miningModelName;
    private float[] initParams;   // the parameters of the model to start from (transfer learning), or null
    private List<String> initLabels;  // its labels: its head is taken when they are this run's
    private float[][] initNorm;   // and the normalization it was trained with
    private String initName;
    private String initCreated;  // --init's own "created" stamp: which "default" it was, once the bundled one changes
    private DataParallel parallel;  // the other replicas of a data-parallel run, or null
    private long gatherNanos;       // time in the batch's sum this epoch

    /**
     * @param featureCache folder of the on-disk feature cache (clean frames of every clip, computed once), or null
     *                     to compute them in memory each run
     */
    public Trainer(TrainingData data, FeatureSettings features, int clipSamples, TrainSettings settings,
                   Path checkpointFile, boolean resume, Path featureCache, TrainingListener listener) {
        this.featureCache = featureCache;
        this.data = data;
        this.features = features;
        this.clipSamples = clipSamples;
        this.s = settings;
        this.checkpointFile = checkpointFile;
        this.resume = resume;
        this.listener = listener;
    }

    /**
     * Mines the hard negatives once, before training, with {@code model} and its detection settings, instead of
     * with the weights being trained every few epochs.
     */
    public Trainer mineWith(KeywordModel model, String name) {
        this.miningModel = model;
        this.miningModelName = name;
        return this;
    }

    /**
     * Starts from {@code model}'s GRU layers (transfer learning): the layers' parameters and the feature
     * normalization they were trained with are taken. Its head is taken too when
     * this run's labels are the model's, in order (training on: more data, or one's own false triggers as
     * negatives); otherwise a fresh head is drawn. The run's architecture and feature settings must be the model's.
     */
    public Trainer startFrom(KeywordModel model, String name) {
        GruConfig a = model.architecture();
        if (a.input() != features.coefficients() || a.hidden() != s.hidden() || a.layers() != s.layers()) {
            throw new IllegalArgumentException(name + ": its GRU is " + a.layers() + "x" + a.hidden() + " on " + a.input()
                    + " features, this run's " + s.layers() + "x" + s.hidden() + " on " + features.coefficients());
        }
        FeatureSettings f = model.features();
        if (!f.normalized()) throw new IllegalArgumentException(name + ": has no feature normalization to start from");
        this.initParams = model.gru().parameters();
        this.initLabels = model.labels();
        this.initNorm = new float[][] {f.normMean(), f.normStd()};
        this.initName = name;
        this.initCreated = model.provenance().get("created");
        return this;
    }

    /** Whether the run starts from --init's head as well as its layers: the same labels in the same order. */
    public boolean keepsInitHead() {
        return initLabels != null && initLabels.equals(data.labels());
    }

    /** Parameters of the recurrent layers: all of {@link GruModel#parameters()} but the head, which comes last. */
    static int gruParameterCount(GruConfig a) {
        return (int) (a.parameterCount() - ((long) a.classes() * a.hidden() + a.classes()));
    }

    /**
     * Trains as one replica of a data-parallel run: each batch is drawn as on one machine, each replica makes
     * (augments and featurizes) the rows of the clips it holds (the data may be its shard only: {@link DataLoader}),
     * the replicas sum the batch, each computes the gradients of its share of the rows, the replicas sum them, and
     * every replica applies the same update, so all stay bit-identical (compared after each epoch) and the model is
     * one machine's with the same batch, up to the order of the float sums. Only replica 0 writes checkpoints.
     */
    public Trainer dataParallel(DataParallel p) {
        this.parallel = p != null && p.size() > 1 ? p : null;
        return this;
    }

    /** Adds a line to the model's provenance (e.g. the command line that trained it). */
    public Trainer provenance(String key, String value) {
        extraProvenance.put(key, value);
        return this;
    }

    public Result run() throws IOException {
        List<String> labels = data.labels();
        int silence = labels.indexOf(KeywordModel.SILENCE), unknown = labels.indexOf(KeywordModel.UNKNOWN);
        List<Example> train = data.train();
        List<Integer> known = new ArrayList<>(), unknowns = new ArrayList<>(), silences = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            int l = train.get(i).label();
            if (l == silence) silences.add(i);
            else if (l == unknown) unknowns.add(i);
            else known.add(i);
        }
        if (parallel == null && train.stream().anyMatch(e -> !e.held())) {
            throw new IllegalArgumentException("the training data is one replica's shard (some clips have no audio): "
                    + "train it as a replica of a data-parallel run");
        }
        checkFramesOnly(train);
        int nWords = Math.max(known.size(), s.minWordDraws());  // target-word draws per epoch
        int nSilence = silence < 0 ? 0 : Math.round(s.silenceFraction() * nWords);
        if (nSilence > 0 && silences.isEmpty() && data.noise() == null) {
            // Nothing to make silence from: train without it rather than on all-zero clips.
            listener.message("warning: no _silence_ clips and no _background_noise_ in " + data.description()
                    + ": training without silence examples");
            nSilence = 0;
        }
        int nUnknown = unknown < 0 || unknowns.isEmpty() ? 0 : Math.round(s.unknownFraction() * nWords);
        NegativeSettings ns = data.negatives() == null ? null : s.negatives();
        int nNegative = ns == null || unknown < 0 ? 0 : Math.round(ns.fraction() * nWords);
        int perEpoch = nWords + nUnknown + nSilence + nNegative;
        if (known.isEmpty()) {
            // Nothing to learn: every epoch would be a few draws of silence and unknown, or none (a NaN loss).
            throw new IllegalArgumentException("no training clips of the words " + labels.subList(2, labels.size())
                    + " in " + data.description());
        }
        int stepsPerEpoch = (perEpoch + s.batch() - 1) / s.batch();
        long totalSteps = (long) stepsPerEpoch * s.epochs();

        Checkpoint ckpt = resume && Files.exists(checkpointFile) ? Checkpoint.load(checkpointFile) : null;
        if (ckpt != null && !ckpt.settings().equals(runSettings())) {
            throw new IOException(checkpointFile + ": the checkpoint was made with other settings or data; "
                    + "start afresh without --resume or use the same options");
        }
        float[][] trainRaw = rawFeatures(train), valRaw = rawFeatures(data.validation());
        float[][] norm = ckpt != null ? new float[][] {ckpt.normMean(), ckpt.normStd()}
                : initNorm != null ? initNorm : normalization(trainRaw, train, silence);
        FeatureSettings fs = features.toBuilder().normalization(norm[0], norm[1]).build();
        Mfcc mfcc = new Mfcc(fs);
        BatchMaker trainBatches = new BatchMaker(mfcc, train, normalized(trainRaw, norm), data.noise(), s, clipSamples,
                Math.max(silence, 0), data.negatives(), unknown);
        List<HardNegativeMiner.Window> hard = List.of();
        boolean mining = nNegative > 0 && ns.hardFraction() > 0;
        if (ckpt != null) hard = ckpt.hard();
        else if (mining && miningModel != null) hard = mine(miningModel, miningModel.detectionSettings(), ns, 0);
        trainBatches.setHardWindows(hard);
        BatchMaker valBatches = new BatchMaker(mfcc, data.validation(), normalized(valRaw, norm), data.noise(), s,
                clipSamples, Math.max(silence, 0));
        int T = trainBatches.frames(), C = trainBatches.coefficients();
        int nVal = data.validation().size();
        float[] valX = new float[nVal * T * C];
        int[] valY = new int[nVal];
        int[] all = new int[nVal];
        for (int i = 0; i < nVal; i++) all[i] = i;
        valBatches.fill(all, 0, nVal, null, valX, valY);

        GruConfig arch = new GruConfig(C, s.hidden(), s.layers(), labels.size());
        History history = new History();
        float[] best;
        double bestAcc = -1;
        int bestEpoch = 0, done = 0;
        try (GruModel gru = new GruModel(arch, s.seed()); GruTrainer trainer = new GruTrainer(gru, s.threads());
             GruModel averaged = new GruModel(arch, s.seed()); GruTrainer scorer = new GruTrainer(averaged, s.threads())) {
            trainer.setPrecision(s.precision());  // the scorer only infers, in float
            if (initParams != null) {
                // The given layers, over a fresh head (seeded as any run's) unless the labels are the model's.
                float[] p = gru.parameters();
                System.arraycopy(initParams, 0, p, 0, keepsInitHead() ? p.length : gruParameterCount(arch));
                gru.setParameters(p);
            }
            best = gru.parameters();
            float[] ema = s.emaDecay() > 0 ? gru.parameters() : null;
            if (ckpt != null) {
                gru.setParameters(ckpt.params());
                if (ema != null) ema = ckpt.ema();
                trainer.setMoments(ckpt.adamM(), ckpt.adamV(), ckpt.adamStep());
                best = ckpt.bestParams();
                bestAcc = ckpt.bestAccuracy();
                bestEpoch = ckpt.bestEpoch();
                done = ckpt.epochsDone();
                ckpt.history().forEach(history::add);
                listener.message(String.format(Locale.ROOT, "resuming after epoch %d of %d (best validation %.4f at epoch %d)", done,
                        s.epochs(), bestAcc, bestEpoch));
            }
            listener.message(String.format(Locale.ROOT, "training %s: %d clips (%s, %d unknown + %d silence%s drawn per epoch), "
                            + "%d validation; GRU %dx%d on %d x %d features; %d steps/epoch",
                    data.description(), train.size(), nWords == known.size() ? known.size() + " words"
                            : nWords + " word draws of " + known.size() + " clips", nUnknown, nSilence,
                    nNegative > 0 ? " + " + nNegative + " negative windows" : "", nVal, s.layers(), s.hidden(), T,
                    C, stepsPerEpoch));
            if (initName != null && ckpt == null) {
                listener.message("starting from " + initName + "'s GRU layers" + (keepsInitHead()
                        ? " and its head (the same labels)" : " with a new head for " + data.labels().size() + " labels"));
            }
            float[] x = new float[s.batch() * T * C];
            int[] y = new int[s.batch()];
            float[] grads = parallel == null ? null : new float[(int) arch.parameterCount()];
            float[] sums = parallel == null ? null : new float[grads.length + 2];  // gradients × rows, loss × rows, right
            long[] timing = new long[3];  // data-parallel: making this replica's rows, its gradients + update, the sums
            // The batch and its labels, summed over the replicas, and each one's checksum of its draws.
            float[] gather = parallel == null ? null : new float[s.batch() * (T * C + 1) + 4 * parallel.size()];
            AdamSettings adam = new AdamSettings(s.learningRate(), 0.9f, 0.999f, 1e-8f, s.weightDecay(), s.clipNorm());
            for (int epoch = done + 1; epoch <= s.epochs(); epoch++) {
                SplittableRandom rng = new SplittableRandom(s.seed() * 0x9E3779B97F4A7C15L + epoch);
                int[] ids = epochIds(known, nWords, unknowns, silences, nUnknown, nSilence, rng, nNegative,
                        nNegative > 0 ? data.negatives().size() : 0, hard.size(), ns == null ? 0 : ns.hardFraction());
                long t0 = System.nanoTime();
                double lossSum = 0;
                long correct = 0;
                double lr = 0;
                for (int from = 0; from < ids.length; from += s.batch()) {
                    int b = Math.min(s.batch(), ids.length - from);
                    long step = trainer.stepCount();
                    lr = s.learningRate() * 0.5 * (1 + Math.cos(Math.PI * Math.min(step, totalSteps) / totalSteps));
                    AdamSettings stepAdam = adam.withLearningRate((float) lr);
                    long f0 = System.nanoTime();
                    Share share = share(trainBatches, ids, from, b, rng, T, C, nNegative > 0 ? ns : null, x, y, gather);
                    long f1 = System.nanoTime();
                    GruTrainer.StepResult r = parallel == null
                            ? trainer.step(share.x(), share.y(), b, share.frames(), stepAdam, s.labelSmoothing())
                            : shareOfStep(trainer, share.x(), share.y(), b, share.frames(), C, stepAdam, grads, sums, timing);
                    timing[0] += f1 - f0;
                    timing[1] += System.nanoTime() - f1;
                    if (ema != null) average(ema, gru.parameters(), s.emaDecay(), trainer.stepCount());
                    lossSum += r.loss() * b;
                    correct += r.correct();
                    listener.batch(epoch, s.epochs(), from + b, ids.length, lossSum / (from + b),
                            correct / (double) (from + b), (System.nanoTime() - t0) / 1e9);
                }
                if (!Double.isFinite(lossSum)) {
                    throw new IOException(String.format(Locale.ROOT, "training diverged in epoch %d (the loss is %s): "
                            + "try a lower learning rate than %s (nothing of this epoch was kept)", epoch,
                            lossSum, s.learningRate()));
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                // The weights that are validated and kept: the running average when there is one.
                float[] candidate = ema != null ? ema.clone() : gru.parameters();
                averaged.setParameters(candidate);
                int[][] confusion = confusion(scorer, valX, valY, nVal, T, labels.size());
                double valAcc = accuracy(confusion);
                if (!s.keepBest() || valAcc > bestAcc) {
                    bestAcc = valAcc;
                    bestEpoch = epoch;
                    best = candidate;
                }
                History.Epoch e = new History.Epoch(epoch, lossSum / ids.length, correct / (double) ids.length, valAcc,
                        lr, secs, ids.length / secs);
                history.add(e);
                listener.epoch(e, s.epochs(), bestAcc, bestEpoch);
                if (mining && miningModel == null && epoch % ns.mineEvery() == 0 && epoch < s.epochs()) {
                    // The weights being trained, as a stream would run them, pick the next epochs' hard windows.
                    try (KeywordModel now = KeywordModel.create(new ModelFile.Contents(labels, fs, arch, clipSamples,
                            Map.of(KeywordModel.STREAMING_KEY, s.contextFrames() > 0 ? KeywordModel.CONTINUOUS
                                    : KeywordModel.WINDOWS), candidate))) {
                        hard = mine(now, dev.earshot.api.DetectionSettings.defaults(), ns, epoch);
                    }
                    trainBatches.setHardWindows(hard);
                }
                if (parallel != null) {
                    checkReplicas(gru.parameters(), epoch);
                    listener.message(String.format(Locale.ROOT, "replica %d of %d, per step: its rows made and the "
                                    + "batch gathered in %.1f ms (the gathering %.1f ms), gradients and update %.1f ms "
                                    + "(their all-reduce %.1f ms)", parallel.rank(), parallel.size(),
                            timing[0] / 1e6 / stepsPerEpoch, gatherNanos / 1e6 / stepsPerEpoch,
                            timing[1] / 1e6 / stepsPerEpoch, timing[2] / 1e6 / stepsPerEpoch));
                    java.util.Arrays.fill(timing, 0);
                    gatherNanos = 0;
                }
                if (parallel != null && parallel.rank() != 0) continue;  // replica 0 checkpoints for all
                float[] m = new float[best.length], v = new float[best.length];
                trainer.moments(m, v);
                new Checkpoint(runSettings(), epoch, gru.parameters(), m, v, trainer.stepCount(), best, bestAcc,
                        bestEpoch, norm[0], norm[1], history.epochs(), ema == null ? new float[0] : ema, hard)
                        .save(checkpointFile);
            }
        }
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("data", data.description());
        provenance.put("train_clips", Integer.toString(train.size()));
        provenance.put("validation_clips", Integer.toString(nVal));
        if (miningModel != null && mining) provenance.put("hard_negatives_mined_with", miningModelName);
        if (initName != null) {
            provenance.put("initialized_from", initName);
            if (initCreated != null) provenance.put("initialized_from_created", initCreated);
            provenance.put("initial_head", keepsInitHead() ? "kept" : "new");
        }
        if (parallel != null) provenance.put("data_parallel_replicas", Integer.toString(parallel.size()));
        s.toMap().forEach((k, v) -> provenance.put("train." + k, v));
        provenance.put("validation_accuracy", String.format(Locale.ROOT, "%.4f", bestAcc));
        provenance.put("best_epoch", Integer.toString(bestEpoch));
        provenance.put("created", Instant.now().toString());
        provenance.put(KeywordModel.STREAMING_KEY, s.contextFrames() > 0 ? KeywordModel.CONTINUOUS : KeywordModel.WINDOWS);
        provenance.putAll(extraProvenance);
        KeywordModel model = KeywordModel.create(new ModelFile.Contents(labels, fs, arch, clipSamples, provenance, best));
        int[][] confusion;
        try (GruTrainer t = new GruTrainer(model.gru(), s.threads())) {
            confusion = confusion(t, valX, valY, nVal, T, labels.size());
        }
        return new Result(model, history, bestAcc, bestEpoch, confusion, labels);
    }

    /**
     * Clips known by their frames alone (a featurized table) train on those frames as they are: refuses the settings
     * that need audio, naming them, before anything is computed.
     */
    private void checkFramesOnly(List<Example> train) {
        if (train.stream().noneMatch(Example::framesOnly) && data.validation().stream().noneMatch(Example::framesOnly)) {
            return;
        }
        List<String> needAudio = new ArrayList<>();
        if (s.noiseProbability() > 0) needAudio.add("background noise");
        if (s.shiftSamples() > 0) needAudio.add("time shift");
        if (s.timeMasks() > 0 || s.bandMasks() > 0) needAudio.add("SpecAugment masks");
        if (s.speedPerturbation() > 0) needAudio.add("speed perturbation");
        if (s.pitchPerturbation() > 0) needAudio.add("pitch perturbation");
        if (s.reverbProbability() > 0) needAudio.add("reverberation");
        if (s.contextFrames() > 0) needAudio.add("context before clips");
        if (data.negatives() != null) needAudio.add("negative audio");
        if (!needAudio.isEmpty()) {
            throw new IllegalArgumentException("the clips of " + data.description() + " are MFCC frames without their "
                    + "audio: training cannot add " + String.join(", ", needAudio) + " to them (train without "
                    + "augmentation, or from the audio)");
        }
    }

    /** This replica's rows of a batch (all of them on one machine), with their context, and their labels. */
    private record Share(float[] x, int[] y, int frames) {}

    /**
     * The batch at ids[from, from + b), drawn in one order everywhere: every row's seed, the context length, the
     * negative context pool and the context plan. One machine makes every row. A replica makes the rows of the
     * clips it holds (clip i mod n; negative and generated rows by position), the replicas sum the batch (each row is
     * one replica's, the others add zeros), and each cuts rows [rank·b/n, (rank+1)·b/n) with their context from it.
     *
     * @param x, y    buffers of the full batch size; {@code gather} (replicas only) of the batch, labels and checksums
     */
    private Share share(BatchMaker batches, int[] ids, int from, int b, SplittableRandom rng, int T, int C,
                        NegativeSettings ns, float[] x, int[] y, float[] gather) throws IOException {
        int n = parallel == null ? 1 : parallel.size(), rank = parallel == null ? 0 : parallel.rank();
        int lo = (int) ((long) b * rank / n), hi = (int) ((long) b * (rank + 1) / n), per = T * C;
        long[] seeds = BatchMaker.seeds(b, rng);
        BatchMaker.Context plan = null;
        float[] pool = null;
        if (s.contextFrames() > 0) {
            int tc = rng.nextInt(s.contextFrames() + 1);
            int poolRows = 0;
            if (ns != null && ns.contextFraction() > 0) {
                poolRows = Math.max(1, b / 2);  // each a clip's worth of negative frames to cut context from
                pool = batches.negativeContext(poolRows, rng);  // every replica makes it: it is drawn, not held
            }
            plan = BatchMaker.Context.plan(b, T, tc, rng, poolRows, ns == null ? 0 : ns.contextFraction());
        }
        if (parallel == null) {
            batches.fill(ids, from, b, seeds, x, y, null);
        } else {
            gatherRows(batches, ids, from, b, seeds, per, x, y, gather);
        }
        float[] xs = plan != null ? plan.apply(x, pool, C, lo, hi)
                : lo == 0 && hi * per == x.length ? x : java.util.Arrays.copyOfRange(x, lo * per, hi * per);
        int[] ys = lo == 0 && hi == y.length ? y : java.util.Arrays.copyOfRange(y, lo, hi);
        return new Share(xs, ys, plan != null ? T + plan.context() : T);
    }

    /** A replica's rows made and the batch summed over the replicas into x and y, checking that all drew alike. */
    private void gatherRows(BatchMaker batches, int[] ids, int from, int b, long[] seeds, int per, float[] x, int[] y,
                            float[] gather) throws IOException {
        int n = parallel.size(), rank = parallel.rank();
        boolean[] mine = new boolean[b];
        for (int i = 0; i < b; i++) {
            int id = ids[from + i];
            mine[i] = id >= 0 ? id % n == rank : i % n == rank;
            if (mine[i] && id >= 0 && !data.train().get(id).held()) {
                throw new IllegalStateException("replica " + rank + " of " + n + " lacks the audio of "
                        + data.train().get(id).path() + ": its data was not loaded as shard " + rank + " of " + n);
            }
        }
        batches.fill(ids, from, b, seeds, x, y, mine);
        java.util.Arrays.fill(gather, 0f);
        for (int i = 0; i < b; i++) {
            if (!mine[i]) continue;
            System.arraycopy(x, i * per, gather, i * per, per);
            gather[b * per + i] = y[i];  // exact: labels are small integers
        }
        // Each replica's checksum of the batch's draws in its own slots: replicas that draw differently (other data or
        // settings) would sum rows of different batches.
        long h = 1125899906842597L;
        for (int i = 0; i < b; i++) h = 31 * h + ids[from + i];
        for (long seed : seeds) h = 31 * h + seed;
        int sums = b * (per + 1);
        for (int k = 0; k < 4; k++) gather[sums + 4 * rank + k] = (h >>> (16 * k)) & 0xffff;
        long t = System.nanoTime();
        parallel.sum(gather);
        gatherNanos += System.nanoTime() - t;
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < 4; k++) {
                if (gather[sums + 4 * r + k] != gather[sums + k]) {
                    throw new IOException("replica " + r + " drew another batch than replica 0 (the batch from draw "
                            + from + " of the epoch): the replicas must load the same data with the same settings");
                }
            }
        }
        System.arraycopy(gather, 0, x, 0, b * per);
        for (int i = 0; i < b; i++) y[i] = Math.round(gather[b * per + i]);
    }

    /**
     * One data-parallel step: the gradients of this replica's rows of a batch of {@code b}, summed over the replicas
     * as gradient × rows, then the same clipped AdamW update on every replica. The batch's mean loss and right
     * answers come back as one machine's step returns them.
     */
    private GruTrainer.StepResult shareOfStep(GruTrainer trainer, float[] xs, int[] ys, int b, int frames, int coefs,
                                              AdamSettings adam, float[] grads, float[] sums, long[] timing)
            throws IOException {
        int rows = ys.length;
        java.util.Arrays.fill(sums, 0f);
        if (rows > 0) {
            GruTrainer.StepResult r = trainer.gradients(xs, ys, rows, frames, s.labelSmoothing(), grads);
            for (int i = 0; i < grads.length; i++) sums[i] = grads[i] * rows;
            sums[grads.length] = (float) (r.loss() * rows);
            sums[grads.length + 1] = r.correct();  // exact: counts stay far below 2^24
        }
        long t = System.nanoTime();
        parallel.sum(sums);
        timing[2] += System.nanoTime() - t;
        for (int i = 0; i < grads.length; i++) grads[i] = sums[i] / b;
        trainer.apply(grads, adam);
        return new GruTrainer.StepResult(sums[grads.length] / b, Math.round(sums[grads.length + 1]));
    }

    /**
     * Every replica's parameters must be the same bits after an epoch: each puts its checksum (as four exact 16-bit
     * pieces) in its own slots, the sum gathers them all, and any difference stops the run.
     */
    private void checkReplicas(float[] params, int epoch) throws IOException {
        long h = 1125899906842597L;
        for (float f : params) h = 31 * h + Float.floatToRawIntBits(f);
        int n = parallel.size();
        float[] v = new float[4 * n];
        for (int k = 0; k < 4; k++) v[4 * parallel.rank() + k] = (h >>> (16 * k)) & 0xffff;
        parallel.sum(v);
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < 4; k++) {
                if (v[4 * r + k] != v[k]) {
                    throw new IOException(String.format(Locale.ROOT, "after epoch %d replica %d's parameters differ "
                            + "from replica 0's: the replicas diverged (a bug: they apply the same updates)", epoch, r));
                }
            }
        }
    }

    private List<HardNegativeMiner.Window> mine(KeywordModel m, dev.earshot.api.DetectionSettings ds, NegativeSettings ns,
                                                int epoch) {
        long t0 = System.nanoTime();
        List<HardNegativeMiner.Window> w = HardNegativeMiner.mine(m, ds, data.negatives(), ns.hardWindows(), 3, 500);
        if (w.isEmpty()) return w;
        listener.message(String.format(Locale.ROOT, "%s: mined %d hard negative windows in %.1f s (keyword scores %.3f to %.3f)",
                epoch == 0 ? "before training" : "after epoch " + epoch, w.size(), (System.nanoTime() - t0) / 1e9,
                w.get(0).score(), w.get(w.size() - 1).score()));
        return w;
    }

    /** What must match for a checkpoint to continue this run. */
    private Map<String, String> runSettings() {
        // Threads are part of it: the batch slices, and so the float sums, depend on them.
        Map<String, String> m = new LinkedHashMap<>(s.toMap());
        m.put("data", data.description());
        m.put("train_clips", Integer.toString(data.train().size()));
        m.put("validation_clips", Integer.toString(data.validation().size()));
        m.put("labels", String.join(",", data.labels()));
        m.put("features", features.toMap().toString());
        m.put("clip_samples", Integer.toString(clipSamples));
        if (miningModelName != null) m.put("hard_negatives_mined_with", miningModelName);
        if (initName != null) {
            m.put("initialized_from", initName);
            m.put("initial_head", keepsInitHead() ? "kept" : "new");
        }
        if (parallel != null) m.put("replicas", Integer.toString(parallel.size()));
        return m;
    }

    /** ema ← d·ema + (1 − d)·p, with d ramped up over the first steps so early weights do not linger. */
    private static void average(float[] ema, float[] p, float decay, long step) {
        float d = (float) Math.min(decay, (1.0 + step) / (10.0 + step));
        for (int i = 0; i < ema.length; i++) ema[i] = d * ema[i] + (1 - d) * p[i];
    }

    /**
     * One epoch's examples, shuffled: every command clip, and again in order until there are {@code nWords} of them
     * (when there are fewer clips), {@code nUnknown} unknown and {@code nSilence} silence draws,
     * and {@code nNegative} negative items ({@link BatchMaker#negativeId}): a hard window with probability
     * {@code hardShare} when there are {@code hard} of them, else a fresh window of one of the {@code recordings}.
     */
    static int[] epochIds(List<Integer> known, int nWords, List<Integer> unknowns, List<Integer> silences, int nUnknown,
                          int nSilence, SplittableRandom rng, int nNegative, int recordings, int hard, float hardShare) {
        int[] ids = new int[nWords + nUnknown + nSilence + nNegative];
        int k = 0;
        for (int i = 0; i < nWords; i++) ids[k++] = known.get(i % known.size());
        for (int i = 0; i < nUnknown; i++) ids[k++] = unknowns.get(rng.nextInt(unknowns.size()));
        for (int i = 0; i < nSilence; i++) {
            ids[k++] = silences.isEmpty() ? BatchMaker.NOISE_SILENCE : silences.get(rng.nextInt(silences.size()));
        }
        for (int i = 0; i < nNegative; i++) {
            boolean fromHard = hard > 0 && rng.nextDouble() < hardShare;
            ids[k++] = BatchMaker.negativeId(fromHard ? recordings + rng.nextInt(hard) : rng.nextInt(recordings));
        }
        for (int i = ids.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = ids[i];
            ids[i] = ids[j];
            ids[j] = t;
        }
        return ids;
    }

    /**
     * Clean, unnormalized frames of each example: from the feature cache (keyed by the files and the feature
     * settings; computed once from the examples' audio), or computed here when there is no cache.
     */
    private float[][] rawFeatures(List<Example> examples) throws IOException {
        Mfcc raw = new Mfcc(features.toBuilder().normalization(null, null).build());
        int n = raw.frameCount(clipSamples) * raw.coefficients();
        java.util.function.Function<Example, float[]> featurize = e -> {
            if (e.frames() != null) {
                if (e.frames().length != n) {
                    throw new IllegalArgumentException(e.path() + ": its frames hold " + e.frames().length + " floats, "
                            + "not the " + raw.frameCount(clipSamples) + " x " + raw.coefficients() + " of these features");
                }
                return e.frames();
            }
            float[] f = new float[n];
            raw.compute(e.pcm(), 0, clipSamples, f, 0);
            return f;
        };
        float[][] out = new float[examples.size()][];  // null for a clip another replica holds
        if (featureCache == null) {
            java.util.stream.IntStream.range(0, out.length).parallel()
                    .forEach(i -> out[i] = examples.get(i).held() ? featurize.apply(examples.get(i)) : null);
            return out;
        }
        java.util.Map<Path, Example> byFile = new java.util.HashMap<>();
        List<Path> files = new ArrayList<>();
        List<Integer> cached = new ArrayList<>();  // the examples read from files; the rest (silence made from noise) has none
        for (int i = 0; i < out.length; i++) {
            Example e = examples.get(i);
            if (!e.held()) continue;
            if (e.file() == null || e.frames() != null) {
                out[i] = featurize.apply(e);
                continue;
            }
            Path p = e.file().toAbsolutePath().normalize();
            byFile.put(p, e);
            files.add(p);
            cached.add(i);
        }
        String key = dev.earshot.datasets.FeatureCache.settingsKey(raw.settings()) + "-clip" + clipSamples;
        dev.earshot.datasets.FeatureCache.Features f = dev.earshot.datasets.FeatureCache.load(featureCache, files, key,
                p -> featurize.apply(byFile.get(p.toAbsolutePath().normalize())), 2);
        for (int j = 0; j < cached.size(); j++) out[cached.get(j)] = f.get(j);
        listener.message(String.format(java.util.Locale.ROOT, "features of %d clips: %s %s", out.length,
                f.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), f.file()));
        return out;
    }

    /** (f − mean) · (1/std), the same arithmetic as {@link Mfcc}'s normalization, so both paths agree to the bit. */
    private static float[][] normalized(float[][] raw, float[][] norm) {
        int C = norm[0].length;
        float[] inv = new float[C];
        for (int c = 0; c < C; c++) inv[c] = 1f / norm[1][c];
        float[][] out = new float[raw.length][];
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == null) continue;  // another replica's clip
            float[] r = raw[i], o = new float[r.length];
            for (int j = 0; j < r.length; j++) o[j] = (r[j] - norm[0][j % C]) * inv[j % C];
            out[i] = o;
        }
        return out;
    }

    /** Per-coefficient mean and standard deviation of the clean features of the non-silence training clips. */
    private float[][] normalization(float[][] raw, List<Example> train, int silence) throws IOException {
        int C = features.coefficients();
        double[] sum = new double[C], sq = new double[C];
        long n = 0;
        for (int k = 0; k < raw.length; k++) {
            if (train.get(k).label() == silence || raw[k] == null) continue;
            float[] f = raw[k];
            for (int i = 0; i < f.length; i++) {
                sum[i % C] += f[i];
                sq[i % C] += (double) f[i] * f[i];
            }
            n += f.length / C;
        }
        if (parallel != null) {
            // Each replica summed its shard: add the sums up, each double as two floats (high part and rest) so the
            // float ring keeps nearly all of its bits.
            double[] all = new double[2 * C + 1];
            System.arraycopy(sum, 0, all, 0, C);
            System.arraycopy(sq, 0, all, C, C);
            all[2 * C] = n;
            float[] v = new float[2 * all.length];
            for (int k = 0; k < all.length; k++) {
                v[2 * k] = (float) all[k];
                v[2 * k + 1] = (float) (all[k] - v[2 * k]);
            }
            parallel.sum(v);
            for (int k = 0; k < C; k++) {
                sum[k] = (double) v[2 * k] + v[2 * k + 1];
                sq[k] = (double) v[2 * (C + k)] + v[2 * (C + k) + 1];
            }
            n = Math.round((double) v[4 * C] + v[4 * C + 1]);
        }
        float[] mean = new float[C], std = new float[C];
        for (int c = 0; c < C; c++) {
            double m = sum[c] / n;
            mean[c] = (float) m;
            std[c] = (float) (Math.sqrt(Math.max(0, sq[c] / n - m * m)) + 1e-5);
        }
        return new float[][] {mean, std};
    }

    static int[][] confusion(GruTrainer trainer, float[] x, int[] y, int n, int T, int classes) {
        int[][] cm = new int[classes][classes];
        int chunk = 256, C = x.length / Math.max(1, n) / T;
        for (int from = 0; from < n; from += chunk) {
            int b = Math.min(chunk, n - from);
            float[] xb = java.util.Arrays.copyOfRange(x, from * T * C, (from + b) * T * C);
            float[] logits = new float[b * classes];
            trainer.infer(xb, b, T, logits);
            for (int i = 0; i < b; i++) cm[y[from + i]][argmax(logits, i * classes, classes)]++;
        }
        return cm;
    }

    /** The index of the largest of {@code n} values at {@code off} (the first on ties). */
    public static int argmax(float[] v, int off, int n) {
        int arg = 0;
        for (int k = 1; k < n; k++) if (v[off + k] > v[off + arg]) arg = k;
        return arg;
    }

    /** The share of a confusion matrix on its diagonal (0 when empty). */
    public static double accuracy(int[][] cm) {
        long right = 0, total = 0;
        for (int i = 0; i < cm.length; i++)
            for (int j = 0; j < cm.length; j++) {
                total += cm[i][j];
                if (i == j) right += cm[i][j];
            }
        return total == 0 ? 0 : right / (double) total;
    }
}
