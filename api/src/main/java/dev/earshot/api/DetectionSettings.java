package dev.earshot.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a {@link Spotter} turns posteriors into detections, as TensorFlow's RecognizeCommands does: the
 * posteriors of the last {@code averageWindowMs} are averaged; the best keyword is reported when its
 * average reaches its threshold, at least {@code minimumCount} windows were averaged, and no detection
 * came in the last {@code suppressionMs}.
 *
 * <p>{@link #defaults()} were tuned on generated streams of held-out speakers for the bundled window model. A model
 * file can carry settings tuned for it ({@code earshot tune-detection}), under the {@code detection.*} provenance
 * keys ({@link #toProvenance()}); {@link KeywordModel#detectionSettings()} returns those, or the defaults.
 *
 * @param windowStrideMs for window models, how often a new one-clip analysis window starts (and one ends): smaller
 *                       costs more; continuous models ignore it and post a posterior every frame
 * @param thresholds     per-keyword thresholds overriding {@code threshold}
 */
public record DetectionSettings(int averageWindowMs, float threshold, Map<String, Float> thresholds,
                                int suppressionMs, int minimumCount, int windowStrideMs) {
    /** Checks every setting's range and copies the per-keyword thresholds. */
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

    /**
     * For models that carry no settings of their own: tuned on streams of held-out speakers for the window model
     * before models carried them (BENCHMARKS.md, streaming accuracy).
     */
    public static DetectionSettings defaults() {
        return new DetectionSettings(750, 0.75f, Map.of(), 1500, 2, 100);
    }

    /** Provenance key prefix of settings stored in a model file. */
    public static final String KEY_PREFIX = "detection.";

    /**
     * The settings as model-file provenance entries: {@code detection.average_ms}, {@code detection.threshold},
     * {@code detection.suppression_ms}, {@code detection.minimum_count}, {@code detection.window_stride_ms}, and
     * {@code detection.threshold.<label>} per keyword threshold.
     */
    public Map<String, String> toProvenance() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(KEY_PREFIX + "average_ms", Integer.toString(averageWindowMs));
        m.put(KEY_PREFIX + "threshold", Float.toString(threshold));
        m.put(KEY_PREFIX + "suppression_ms", Integer.toString(suppressionMs));
        m.put(KEY_PREFIX + "minimum_count", Integer.toString(minimumCount));
        m.put(KEY_PREFIX + "window_stride_ms", Integer.toString(windowStrideMs));
        new java.util.TreeMap<>(thresholds).forEach((l, t) -> m.put(KEY_PREFIX + "threshold." + l, Float.toString(t)));
        return m;
    }

    /**
     * The settings stored in a model's provenance ({@link #toProvenance()}), or {@link #defaults()} if it stores none.
     *
     * @throws IllegalArgumentException saying what is wrong: a missing or unreadable value, one out of range, or a
     *                                  threshold for a label that is not one of the model's keywords
     */
    public static DetectionSettings fromProvenance(Map<String, String> provenance, List<String> labels) {
        if (provenance.keySet().stream().noneMatch(k -> k.startsWith(KEY_PREFIX))) return defaults();
        Map<String, Float> perLabel = new LinkedHashMap<>();
        String perPrefix = KEY_PREFIX + "threshold.";
        for (Map.Entry<String, String> e : provenance.entrySet()) {
            if (!e.getKey().startsWith(perPrefix)) continue;
            String label = e.getKey().substring(perPrefix.length());
            if (!labels.contains(label) || label.equals(KeywordModel.SILENCE) || label.equals(KeywordModel.UNKNOWN)) {
                throw new IllegalArgumentException(e.getKey() + ": '" + label + "' is not one of the model's keywords");
            }
            perLabel.put(label, number(provenance, e.getKey()));
        }
        return new DetectionSettings(whole(provenance, KEY_PREFIX + "average_ms"), number(provenance, KEY_PREFIX + "threshold"),
                perLabel, whole(provenance, KEY_PREFIX + "suppression_ms"), whole(provenance, KEY_PREFIX + "minimum_count"),
                whole(provenance, KEY_PREFIX + "window_stride_ms"));
    }

    private static float number(Map<String, String> p, String key) {
        String v = p.get(key);
        if (v == null) throw new IllegalArgumentException("missing " + key);
        try {
            return Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not a number: '" + v + "'");
        }
    }

    private static int whole(Map<String, String> p, String key) {
        String v = p.get(key);
        if (v == null) throw new IllegalArgumentException("missing " + key);
        try {
            long n = Long.parseLong(v);
            if (n < 0 || n > 3_600_000) throw new IllegalArgumentException(key + ": " + n + " out of range");
            return (int) n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not a whole number: '" + v + "'");
        }
    }

    /** The threshold for {@code label}: its own if it has one, else the global {@link #threshold()}. */
    public float thresholdFor(String label) {
        return thresholds.getOrDefault(label, threshold);
    }

    /** The same settings with one threshold for every keyword: per-keyword thresholds are dropped. */
    public DetectionSettings withThreshold(float t) {
        return new DetectionSettings(averageWindowMs, t, Map.of(), suppressionMs, minimumCount, windowStrideMs);
    }
}
