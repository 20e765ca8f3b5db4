package dev.earshot.api;

import java.util.Map;

/**
 * How a {@link Spotter} turns posteriors into detections, as TensorFlow's RecognizeCommands does: the
 * posteriors of the last {@code averageWindowMs} are averaged; the best keyword is reported when its
 * average reaches its threshold, at least {@code minimumCount} windows were averaged, and no detection
 * came in the last {@code suppressionMs}.
 *
 * <p>The defaults were tuned on generated streams of held-out speakers: the best for the bundled window model, and
 * within a word or two per stream of the best for the default model (BENCHMARKS.md).
 *
 * @param windowStrideMs for window models, how often a new one-clip analysis window starts (and one ends): smaller
 *                       costs more; continuous models ignore it and post a posterior every frame
 * @param thresholds     per-keyword thresholds overriding {@code threshold}
 */
public record DetectionSettings(int averageWindowMs, float threshold, Map<String, Float> thresholds,
                                int suppressionMs, int minimumCount, int windowStrideMs) {
    public DetectionSettings {
        if (averageWindowMs < 0 || suppressionMs < 0 || minimumCount < 1 || windowStrideMs < 1) {
            throw new IllegalArgumentException("averageWindowMs and suppressionMs must be >= 0, minimumCount and "
                    + "windowStrideMs >= 1");
        }
        if (!(threshold > 0 && threshold <= 1)) throw new IllegalArgumentException("threshold must be in (0, 1]: " + threshold);
        thresholds = Map.copyOf(thresholds);
        for (Map.Entry<String, Float> e : thresholds.entrySet()) {
            if (!(e.getValue() > 0 && e.getValue() <= 1)) {
                throw new IllegalArgumentException("threshold for " + e.getKey() + " must be in (0, 1]: " + e.getValue());
            }
        }
    }

    /** Defaults tuned on held-out speakers (see BENCHMARKS.md, streaming accuracy). */
    public static DetectionSettings defaults() {
        return new DetectionSettings(750, 0.75f, Map.of(), 1500, 2, 100);
    }

    public float thresholdFor(String label) {
        return thresholds.getOrDefault(label, threshold);
    }

    public DetectionSettings withThreshold(float t) {
        return new DetectionSettings(averageWindowMs, t, thresholds, suppressionMs, minimumCount, windowStrideMs);
    }
}
