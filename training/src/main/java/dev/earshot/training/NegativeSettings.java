package dev.earshot.training;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a run uses negative audio ({@code train --negatives}): clip-length windows of it are drawn as
 * {@code _unknown_} examples, {@code fraction} of the command words per epoch; {@code contextFraction} of the
 * context pieces before each clip in continuous training come from it; and with {@code hardFraction} > 0 that share
 * of the negative draws comes from the {@code hardWindows} windows the model being trained (or a given model) scores
 * highest as some command, mined again every {@code mineEvery} epochs ({@link HardNegativeMiner}).
 */
public record NegativeSettings(float fraction, float contextFraction, float hardFraction, int mineEvery,
                               int hardWindows) implements java.io.Serializable {
    public NegativeSettings {
        if (!(fraction >= 0 && fraction <= 100) || !(contextFraction >= 0 && contextFraction <= 1)
                || !(hardFraction >= 0 && hardFraction <= 1) || mineEvery < 1 || hardWindows < 1) {
            throw new IllegalArgumentException("negative settings out of range: " + this);
        }
    }

    /** As text, for the model's provenance and the checkpoint. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("negative_fraction", Float.toString(fraction));
        m.put("negative_context_fraction", Float.toString(contextFraction));
        if (hardFraction > 0) {
            m.put("hard_negative_fraction", Float.toString(hardFraction));
            m.put("hard_negative_mine_every", Integer.toString(mineEvery));
            m.put("hard_negative_windows", Integer.toString(hardWindows));
        }
        return m;
    }
}
