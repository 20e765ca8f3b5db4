package dev.earshot.app.train;

import dev.earshot.datasets.BackgroundNoise;
import java.util.List;

/**
 * What a training run reads: the labels (index = class), the training and validation clips, and the
 * background-noise recordings used for augmentation and for making silence.
 */
public record TrainingData(List<String> labels, List<Example> train, List<Example> validation, BackgroundNoise noise,
                           String description) {
    public TrainingData {
        if (train.isEmpty()) throw new IllegalArgumentException("no training clips in " + description);
        if (validation.isEmpty()) throw new IllegalArgumentException("no validation clips in " + description);
    }
}
