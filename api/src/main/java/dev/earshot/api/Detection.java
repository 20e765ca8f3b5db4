package dev.earshot.api;

/**
 * A keyword heard in a stream: its label, the smoothed confidence that crossed the threshold, and the
 * stream time (milliseconds of audio since the spotter started) at which it was heard.
 */
public record Detection(String label, float confidence, long timeMs) {
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%s %.3f at %d ms", label, confidence, timeMs);
    }
}
