package dev.earshot.api;

/** Receives a spotter's detections and, if wanted, its posteriors. Called on the thread that pushes audio. */
@FunctionalInterface
public interface SpotterListener {
    /** A keyword was detected. */
    void onDetection(Detection detection);

    /**
     * The posteriors of the window that just ended (one per label, in {@link KeywordModel#labels()} order), heard
     * at {@code timeMs} (the window's middle), and their smoothed average. The arrays are reused after the call.
     */
    default void onPosteriors(long timeMs, float[] posteriors, float[] smoothed) {}
}
