package dev.earshot.training;

import dev.earshot.gru.Precision;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every setting of a training run; the model file records them all. The defaults are the anchor recipe
 * ({@code shared/anchors/pytorch_kws_train_ref.py}): GRU-256, Adam 2e-3 with cosine decay over 80 epochs,
 * batch 64, clipping at 5, TensorFlow-style augmentation (noise p=0.8 at U(0, 0.1), shift ±100 ms, silence
 * and unknown 10% each) and SpecAugment on the log-mel (2 time masks ≤ 5 frames, 2 band masks ≤ 5).
 * {@code emaDecay} > 0 keeps an exponential moving average of the weights (Polyak averaging), which is
 * what gets validated and kept. {@code keepBest} keeps the epoch with the best validation accuracy; without it
 * the last epoch is kept, so that the validation score is an unbiased estimate (nothing was chosen on it).
 * {@code contextFrames} > 0 trains for continuous listening: each batch's clips are preceded by up to that many
 * frames of other clips (see {@link BatchMaker#withContext}), so the GRU learns to forget what came before
 * and can run on a stream without resets. {@code negatives} (or null) says how negative audio is used.
 * {@code minWordDraws} > 0 draws at least that many target-word clips per epoch, repeating clips (each augmented
 * afresh) when there are fewer: twenty clips of one's own word then still make a few hundred steps.
 * {@code pitchPerturbation} > 0 shifts each speech clip's pitch by up to that fraction, its tempo kept
 * ({@link dev.earshot.datasets.PitchShift}); {@code reverbProbability} > 0 plays that share of the speech clips in
 * a generated room ({@link dev.earshot.datasets.RoomReverb}). {@code precision} is how the steps multiply
 * ({@link Precision}: bfloat16 products train about 1.6x faster where the CPU has AVX-512 BF16).
 */
public record TrainSettings(
        int hidden, int layers, int epochs, int batch, float learningRate, float weightDecay, float clipNorm,
        long seed, int threads,
        float noiseProbability, float noiseVolume, int shiftSamples, float silenceFraction, float unknownFraction,
        int timeMasks, int timeMaskWidth, int bandMasks, int bandMaskWidth, float speedPerturbation, float emaDecay, boolean keepBest, float labelSmoothing,
        int contextFrames, NegativeSettings negatives, int minWordDraws, float pitchPerturbation,
        float reverbProbability, Precision precision) implements java.io.Serializable {

    public static TrainSettings defaults() {
        return new TrainSettings(256, 1, 80, 64, 2e-3f, 0f, 5f, 0L, dev.earshot.gru.GruTrainer.defaultThreads(),
                0.8f, 0.1f, 1600, 0.1f, 0.1f, 2, 5, 2, 5, 0f, 0f, true, 0f, 0, null, 0, 0f, 0f, Precision.FP32);
    }

    public TrainSettings {
        if (hidden < 1 || layers < 1 || epochs < 1 || batch < 1 || threads < 1) {
            throw new IllegalArgumentException("hidden, layers, epochs, batch and threads must be at least 1");
        }
        if (!(learningRate > 0) || weightDecay < 0 || clipNorm < 0) {
            throw new IllegalArgumentException("learning rate must be > 0, weight decay and clip norm >= 0");
        }
        if (noiseProbability < 0 || noiseProbability > 1 || noiseVolume < 0 || shiftSamples < 0
                || silenceFraction < 0 || unknownFraction < 0 || timeMasks < 0 || timeMaskWidth < 0
                || bandMasks < 0 || bandMaskWidth < 0 || speedPerturbation < 0 || speedPerturbation >= 0.5f
                || emaDecay < 0 || emaDecay >= 1 || labelSmoothing < 0 || labelSmoothing >= 1
                || contextFrames < 0 || contextFrames > 100_000 || minWordDraws < 0
                || pitchPerturbation < 0 || pitchPerturbation >= 0.5f || reverbProbability < 0 || reverbProbability > 1) {
            throw new IllegalArgumentException("augmentation settings out of range");
        }
        java.util.Objects.requireNonNull(precision, "precision");
    }

    /** The same settings on {@code n} native threads. */
    public TrainSettings withThreads(int n) {
        return new TrainSettings(hidden, layers, epochs, batch, learningRate, weightDecay, clipNorm, seed, n,
                noiseProbability, noiseVolume, shiftSamples, silenceFraction, unknownFraction, timeMasks, timeMaskWidth,
                bandMasks, bandMaskWidth, speedPerturbation, emaDecay, keepBest, labelSmoothing, contextFrames, negatives,
                minWordDraws, pitchPerturbation, reverbProbability, precision);
    }

    /** The same settings with the training steps' products in {@code p}. */
    public TrainSettings withPrecision(Precision p) {
        return new TrainSettings(hidden, layers, epochs, batch, learningRate, weightDecay, clipNorm, seed, threads,
                noiseProbability, noiseVolume, shiftSamples, silenceFraction, unknownFraction, timeMasks, timeMaskWidth,
                bandMasks, bandMaskWidth, speedPerturbation, emaDecay, keepBest, labelSmoothing, contextFrames, negatives,
                minWordDraws, pitchPerturbation, reverbProbability, p);
    }

    /** As text, for the model's provenance and the checkpoint. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("hidden", Integer.toString(hidden));
        m.put("layers", Integer.toString(layers));
        m.put("epochs", Integer.toString(epochs));
        m.put("batch", Integer.toString(batch));
        m.put("learning_rate", Float.toString(learningRate));
        m.put("schedule", "cosine");
        m.put("weight_decay", Float.toString(weightDecay));
        m.put("clip_norm", Float.toString(clipNorm));
        m.put("seed", Long.toString(seed));
        m.put("threads", Integer.toString(threads));
        m.put("precision", precision.label());
        m.put("noise_probability", Float.toString(noiseProbability));
        m.put("noise_volume", Float.toString(noiseVolume));
        m.put("shift_samples", Integer.toString(shiftSamples));
        m.put("silence_fraction", Float.toString(silenceFraction));
        m.put("unknown_fraction", Float.toString(unknownFraction));
        m.put("specaugment", timeMasks + "x" + timeMaskWidth + " time, " + bandMasks + "x" + bandMaskWidth + " bands");
        m.put("speed_perturbation", Float.toString(speedPerturbation));
        m.put("ema_decay", Float.toString(emaDecay));
        m.put("keep", keepBest ? "best validation epoch" : "last epoch");
        m.put("label_smoothing", Float.toString(labelSmoothing));
        if (contextFrames > 0) m.put("context_frames", Integer.toString(contextFrames));
        if (negatives != null) m.putAll(negatives.toMap());
        if (minWordDraws > 0) m.put("min_word_draws", Integer.toString(minWordDraws));
        if (pitchPerturbation > 0) m.put("pitch_perturbation", Float.toString(pitchPerturbation));
        if (reverbProbability > 0) m.put("reverb_probability", Float.toString(reverbProbability));
        return m;
    }
}
