package dev.earshot.training;

import java.util.ArrayList;
import java.util.List;

/** Per-epoch learning curves. */
public final class History {
    /** One epoch's numbers. */
    public record Epoch(int epoch, double trainLoss, double trainAccuracy, double validationAccuracy,
                        double learningRate, double seconds, double clipsPerSecond) implements java.io.Serializable {}

    private final List<Epoch> epochs = new ArrayList<>();

    public void add(Epoch e) {
        epochs.add(e);
    }

    public List<Epoch> epochs() {
        return List.copyOf(epochs);
    }

    public int size() {
        return epochs.size();
    }

    public Epoch best() {
        Epoch best = null;
        for (Epoch e : epochs) if (best == null || e.validationAccuracy() > best.validationAccuracy()) best = e;
        return best;
    }
}
