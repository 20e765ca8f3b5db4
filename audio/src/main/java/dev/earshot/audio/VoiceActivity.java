package dev.earshot.audio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds utterances in a recording by the energy of its 10 ms frames against the recording's own noise floor:
 * frames louder than the floor by {@link #MARGIN_DB} (and louder than {@link #ABSOLUTE_FLOOR_DB}) are voiced; voiced
 * runs closer than {@link #BRIDGE_MS} are one utterance (the closure of "stop", the gap in "smart mirror"); runs
 * shorter than {@link #SHORTEST_MS} are clicks, not words. No model, so it works for any word in any language.
 */
public final class VoiceActivity {
    /** Voiced frames are at least this far above the noise floor. */
    public static final double MARGIN_DB = 15;
    /** ...and above this level (dB relative to full scale), so a recording of near-silence finds nothing. */
    public static final double ABSOLUTE_FLOOR_DB = -50;
    public static final int BRIDGE_MS = 300;
    public static final int SHORTEST_MS = 120;
    /** Kept on each side of an utterance: the frame energy misses a soft onset and a trailing fricative. */
    public static final int PAD_MS = 60;

    /** An utterance: samples [start, end) of the recording, and its loudest frame in dBFS. */
    public record Utterance(int start, int end, double peakDb) {
        public int length() {
            return end - start;
        }
    }

    private VoiceActivity() {
    }

    /** Frame levels of {@code pcm} in dBFS, one per 10 ms frame (the last partial frame dropped). */
    public static double[] frameLevels(float[] pcm, int sampleRate) {
        int hop = sampleRate / 100;
        double[] db = new double[pcm.length / hop];
        for (int f = 0; f < db.length; f++) {
            double sq = 0;
            for (int i = f * hop; i < (f + 1) * hop; i++) sq += (double) pcm[i] * pcm[i];
            db[f] = 10 * Math.log10(sq / hop + 1e-12);
        }
        return db;
    }

    /**
     * The noise floor: the 10th percentile of the frame levels, so up to nine tenths of a recording may be speech.
     * A recording shorter than one frame has floor {@code -120} dB.
     */
    public static double noiseFloorDb(double[] levels) {
        if (levels.length == 0) return -120;
        double[] s = levels.clone();
        Arrays.sort(s);
        return s[(int) (0.1 * (s.length - 1))];
    }

    /** The utterances of {@code pcm}, in order, each padded by {@link #PAD_MS} within the recording. */
    public static List<Utterance> find(float[] pcm, int sampleRate) {
        double[] db = frameLevels(pcm, sampleRate);
        double threshold = Math.max(noiseFloorDb(db) + MARGIN_DB, ABSOLUTE_FLOOR_DB);
        int bridge = BRIDGE_MS / 10, shortest = SHORTEST_MS / 10, hop = sampleRate / 100;
        List<int[]> runs = new ArrayList<>();
        for (int f = 0; f < db.length; ) {
            if (db[f] <= threshold) {
                f++;
                continue;
            }
            int start = f;
            while (f < db.length && db[f] > threshold) f++;
            if (!runs.isEmpty() && start - runs.get(runs.size() - 1)[1] < bridge) runs.get(runs.size() - 1)[1] = f;
            else runs.add(new int[] {start, f});
        }
        List<Utterance> out = new ArrayList<>();
        int pad = sampleRate * PAD_MS / 1000;
        for (int[] r : runs) {
            if (r[1] - r[0] < shortest) continue;
            double peak = Double.NEGATIVE_INFINITY;
            for (int f = r[0]; f < r[1]; f++) peak = Math.max(peak, db[f]);
            out.add(new Utterance(Math.max(0, r[0] * hop - pad), Math.min(pcm.length, r[1] * hop + pad), peak));
        }
        return out;
    }
}
