package dev.earshot.app;

import dev.earshot.audio.FeatureSettings;
import picocli.CommandLine.Option;

/**
 * The feature options shared by the commands that compute features ({@code features}, {@code train},
 * {@code bench mfcc}, {@code bench train}); each command may start from its own defaults.
 */
public final class FeatureOptions {
    @Option(names = "--win-ms", paramLabel = "MS", description = "analysis window in ms (default: ${DEFAULT-VALUE})")
    double winMs;
    @Option(names = "--hop-ms", paramLabel = "MS", description = "hop between frames in ms (default: ${DEFAULT-VALUE})")
    double hopMs;
    @Option(names = "--mels", paramLabel = "N", description = "mel bands (default: ${DEFAULT-VALUE})")
    int mels;
    @Option(names = "--mfcc", paramLabel = "N", description = "coefficients per frame (default: ${DEFAULT-VALUE})")
    int coefficients;

    /** The defaults of Earshot's models: 40/20 ms, 40 bands, 10 coefficients (see {@link FeatureSettings#defaults()}). */
    public FeatureOptions() {
        this(40, 20, 40, 10);
    }

    public FeatureOptions(double winMs, double hopMs, int mels, int coefficients) {
        this.winMs = winMs;
        this.hopMs = hopMs;
        this.mels = mels;
        this.coefficients = coefficients;
    }

    /** The settings: {@link FeatureSettings#defaults()} with these options applied. */
    public FeatureSettings settings() {
        return FeatureSettings.defaults().toBuilder().windowMillis(winMs, hopMs).melBands(mels).coefficients(coefficients)
                .build();
    }
}
