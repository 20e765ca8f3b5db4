package dev.earshot.api;

/** A label with the model's confidence in it (a softmax probability in [0, 1]). */
public record Prediction(String label, float confidence) {
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%s %.3f", label, confidence);
    }
}
