package dev.earshot.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Utterances found in hand-made recordings whose voiced stretches are known to the sample. */
class VoiceActivityTest {
    static final int RATE = 16000;

    /** {@code seconds} of white noise at {@code noiseDb} dBFS (RMS). */
    static float[] noise(double seconds, double noiseDb, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[(int) (seconds * RATE)];
        double a = Math.pow(10, noiseDb / 20) * Math.sqrt(3);  // uniform on [-a, a] has RMS a/sqrt(3)
        for (int i = 0; i < x.length; i++) x[i] = (float) (a * (2 * r.nextDouble() - 1));
        return x;
    }

    /** Adds a voiced stretch (harmonics of 150 Hz) at {@code levelDb} dBFS peak over [from, to) seconds. */
    static void voice(float[] x, double from, double to, double levelDb) {
        double a = Math.pow(10, levelDb / 20) / 3;
        for (int i = (int) (from * RATE); i < (int) (to * RATE); i++) {
            double t = i / (double) RATE;
            x[i] += (float) (a * (Math.sin(2 * Math.PI * 150 * t) + Math.sin(2 * Math.PI * 300 * t) + Math.sin(2 * Math.PI * 450 * t)));
        }
    }

    private static void assertNear(double seconds, int sample, double slackSeconds, String what) {
        assertTrue(Math.abs(sample / (double) RATE - seconds) <= slackSeconds,
                what + ": " + sample / (double) RATE + " s, expected " + seconds + " s ± " + slackSeconds);
    }

    @Test
    void findsEachWordWithItsPadding() {
        float[] x = noise(4, -60, 1);
        voice(x, 0.50, 0.90, -12);
        voice(x, 2.00, 2.60, -20);
        List<VoiceActivity.Utterance> u = VoiceActivity.find(x, RATE);
        assertEquals(2, u.size(), u.toString());
        double pad = VoiceActivity.PAD_MS / 1000.0;
        assertNear(0.50 - pad, u.get(0).start(), 0.011, "first start");
        assertNear(0.90 + pad, u.get(0).end(), 0.011, "first end");
        assertNear(2.00 - pad, u.get(1).start(), 0.011, "second start");
        assertNear(2.60 + pad, u.get(1).end(), 0.011, "second end");
        assertTrue(u.get(0).peakDb() > u.get(1).peakDb(), "the louder word has the higher peak");
    }

    @Test
    void bridgesShortGapsAndSplitsLongOnes() {
        float[] x = noise(3, -60, 2);
        voice(x, 0.40, 0.70, -15);
        voice(x, 0.90, 1.20, -15);  // 200 ms gap: one utterance ("smart mirror")
        voice(x, 1.60, 1.90, -15);  // 400 ms gap: a second utterance
        List<VoiceActivity.Utterance> u = VoiceActivity.find(x, RATE);
        assertEquals(2, u.size(), u.toString());
        assertNear(1.20 + VoiceActivity.PAD_MS / 1000.0, u.get(0).end(), 0.011, "bridged end");
    }

    @Test
    void clicksNoiseAndSilenceAreNoWords() {
        float[] x = noise(2, -60, 3);
        voice(x, 1.0, 1.05, -6);  // a 50 ms click
        assertEquals(List.of(), VoiceActivity.find(x, RATE));
        assertEquals(List.of(), VoiceActivity.find(noise(2, -25, 4), RATE), "steady noise, however loud");
        assertEquals(List.of(), VoiceActivity.find(new float[RATE], RATE), "digital silence");
        assertEquals(List.of(), VoiceActivity.find(new float[10], RATE), "shorter than a frame");
        float[] faint = noise(2, -80, 5);
        voice(faint, 0.5, 1.0, -55);  // far above its floor but below the absolute floor
        assertEquals(List.of(), VoiceActivity.find(faint, RATE));
    }

    @Test
    void aWordBarelyAboveLoudNoiseIsNotFound() {
        float[] x = noise(3, -30, 6);
        voice(x, 1.0, 1.5, -22);  // 8 dB over the floor: below the 15 dB margin
        assertEquals(List.of(), VoiceActivity.find(x, RATE));
        voice(x, 2.0, 2.5, -5);
        assertEquals(1, VoiceActivity.find(x, RATE).size());
    }
}
