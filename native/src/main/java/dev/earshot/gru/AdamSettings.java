package dev.earshot.gru;

/**
 * One AdamW step's settings. {@code weightDecay} is decoupled (AdamW); {@code clipNorm} clips the
 * global gradient norm before the update (0 = no clipping).
 */
public record AdamSettings(float learningRate, float beta1, float beta2, float epsilon, float weightDecay,
                           float clipNorm) {
    /** Checks every setting's range. */
    public AdamSettings {
        if (!(learningRate >= 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)
                || !(weightDecay >= 0) || !(clipNorm >= 0)) {
            throw new IllegalArgumentException("Adam settings out of range: " + this
                    + " (need lr >= 0, 0 <= beta < 1, epsilon > 0, weightDecay >= 0, clipNorm >= 0)");
        }
    }

    /** PyTorch's Adam defaults with the given learning rate and gradient clipping at norm 5. */
    public static AdamSettings of(float learningRate) {
        return new AdamSettings(learningRate, 0.9f, 0.999f, 1e-8f, 0f, 5f);
    }

    /** The same settings with another learning rate (for a schedule). */
    public AdamSettings withLearningRate(float lr) {
        return new AdamSettings(lr, beta1, beta2, epsilon, weightDecay, clipNorm);
    }
}
