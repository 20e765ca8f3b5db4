package dev.earshot.api;

import java.util.List;

/**
 * Turns a sequence of window posteriors into detections, as TensorFlow's RecognizeCommands does: the
 * posteriors of the last {@link DetectionSettings#averageWindowMs()} are averaged; the best keyword is reported
 * when its average reaches its threshold, at least {@link DetectionSettings#minimumCount()} windows were
 * averaged, and the last detection is at least {@link DetectionSettings#suppressionMs()} old. Separate from the
 * {@link Spotter} so recorded posteriors can be replayed under other settings (threshold sweeps). Not
 * thread-safe; allocates nothing per window.
 */
public final class CommandRecognizer {
    private final List<String> labels;
    private final boolean[] keyword;
    private final DetectionSettings settings;
    private final float[] thresholds;
    private final float[][] history;
    private final long[] historyTime;
    private final float[] smoothed;
    private int start, count;
    private long lastDetectionMs = Long.MIN_VALUE / 2;

    /**
     * @param labels        the model's labels
     * @param windowStrideMs how often a window's posteriors arrive (sizes the averaging buffer)
     */
    public CommandRecognizer(List<String> labels, DetectionSettings settings, int windowStrideMs) {
        this.labels = List.copyOf(labels);
        this.settings = settings;
        int n = labels.size();
        keyword = new boolean[n];
        thresholds = new float[n];
        for (int k = 0; k < n; k++) {
            String l = labels.get(k);
            keyword[k] = !l.equals(KeywordModel.SILENCE) && !l.equals(KeywordModel.UNKNOWN);
            thresholds[k] = settings.thresholdFor(l);
        }
        int keep = Math.max(1, settings.averageWindowMs() / Math.max(1, windowStrideMs) + 2);
        history = new float[keep][n];
        historyTime = new long[keep];
        smoothed = new float[n];
    }

    /** The settings this recognizer applies. */
    public DetectionSettings settings() {
        return settings;
    }

    /** The running average after the last {@link #accept} (reused: copy it to keep it). */
    public float[] smoothed() {
        return smoothed;
    }

    /**
     * Adds one window's posteriors, heard at {@code timeMs}; returns the detection it triggers, or null.
     */
    public Detection accept(long timeMs, float[] posteriors) {
        int n = smoothed.length;
        while (count > 0 && timeMs - historyTime[start] > settings.averageWindowMs()) {
            start = (start + 1) % history.length;
            count--;
        }
        if (count == history.length) {
            start = (start + 1) % history.length;
            count--;
        }
        int slot = (start + count) % history.length;
        System.arraycopy(posteriors, 0, history[slot], 0, n);
        historyTime[slot] = timeMs;
        count++;
        java.util.Arrays.fill(smoothed, 0f);
        for (int i = 0; i < count; i++) {
            float[] p = history[(start + i) % history.length];
            for (int k = 0; k < n; k++) smoothed[k] += p[k];
        }
        for (int k = 0; k < n; k++) smoothed[k] /= count;
        int best = -1;
        for (int k = 0; k < n; k++) if (keyword[k] && (best < 0 || smoothed[k] > smoothed[best])) best = k;
        if (best < 0 || count < settings.minimumCount() || smoothed[best] < thresholds[best]
                || timeMs - lastDetectionMs < settings.suppressionMs()) {
            return null;
        }
        lastDetectionMs = timeMs;
        return new Detection(labels.get(best), smoothed[best], timeMs);
    }

    /** Forgets all windows and the last detection. */
    public void reset() {
        start = count = 0;
        lastDetectionMs = Long.MIN_VALUE / 2;
        java.util.Arrays.fill(smoothed, 0f);
    }
}
