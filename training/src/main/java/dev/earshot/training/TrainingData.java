package dev.earshot.training;

import dev.earshot.datasets.BackgroundNoise;
import dev.earshot.datasets.NegativeAudio;
import java.util.List;

/**
 * What a training run reads: the labels (index = class), the training and validation clips, the
 * background-noise recordings used for augmentation and for making silence, and audio known to hold no target
 * word (null when there is none), whose windows train as {@code _unknown_}.
 */
public record TrainingData(List<String> labels, List<Example> train, List<Example> validation, BackgroundNoise noise,
                           String description, NegativeAudio negatives) {
    /** Data without negative audio. */
    public TrainingData(List<String> labels, List<Example> train, List<Example> validation, BackgroundNoise noise,
                        String description) {
        this(labels, train, validation, noise, description, null);
    }

    /** The same data with negative audio (described in {@link #description()}). */
    public TrainingData withNegatives(NegativeAudio n) {
        return new TrainingData(labels, train, validation, noise, description + " + negatives " + n.description(), n);
    }

    /** The same data with other background noise (e.g. the dataset's and the user's, {@link BackgroundNoise#with}). */
    public TrainingData withNoise(BackgroundNoise n, String what) {
        return new TrainingData(labels, train, validation, n, description + " + background " + what, negatives);
    }

    public TrainingData {
        if (train.isEmpty()) throw new IllegalArgumentException("no training clips in " + description);
        if (validation.isEmpty()) throw new IllegalArgumentException("no validation clips in " + description);
    }
}
