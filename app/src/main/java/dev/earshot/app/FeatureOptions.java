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
        Options.positive("--win-ms", winMs);
        Options.positive("--hop-ms", hopMs);
        Options.atLeast("--mels", mels, 1);
        Options.atLeast("--mfcc", coefficients, 1);
        if (coefficients > mels) throw new IllegalArgumentException("--mfcc must be at most --mels (" + mels + "), not " + coefficients);
        try {
            return FeatureSettings.defaults().toBuilder().windowMillis(winMs, hopMs).melBands(mels).coefficients(coefficients)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--win-ms " + winMs + " --hop-ms " + hopMs + " --mels " + mels + " --mfcc "
                    + coefficients + ": " + e.getMessage().replaceFirst("^FeatureSettings: ", ""));
        }
    }
}
