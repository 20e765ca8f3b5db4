package dev.earshot.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.audio.AudioClip;
import dev.earshot.audio.WavReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Takes judged and written as enroll makes them, on hand-made takes whose faults are known. */
class EnrollmentTest {
    static final int RATE = 16000;

    static float[] take(double seconds, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[(int) (seconds * RATE)];
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.001 * (2 * r.nextDouble() - 1));  // about -65 dBFS
        return x;
    }

    static void voice(float[] x, double from, double to, double amplitude) {
        for (int i = (int) (from * RATE); i < (int) (to * RATE); i++) {
            x[i] += (float) (amplitude * Math.sin(2 * Math.PI * 220 * i / (double) RATE));
        }
    }

    @Test
    void aGoodTakeBecomesAClipCentredOnTheWord(@TempDir Path dir) throws Exception {
        float[] x = take(2, 1);
        voice(x, 0.30, 0.80, 0.3);
        Enrollment e = new Enrollment(dir, "Smart Mirror", "anna", RATE, RATE);
        Enrollment.Take t = e.judge(x);
        assertNull(t.refusal());
        assertEquals(RATE, t.clip().length);
        int mid = (t.utterance().start() + t.utterance().end()) / 2;
        assertEquals(Math.round(0.55 * RATE), mid, RATE / 100, "the word's middle");
        // The clip is the recording's own window around the word (its noise too), not zeros.
        assertArrayEquals(java.util.Arrays.copyOfRange(x, mid - RATE / 2, mid + RATE / 2), t.clip());
        assertEquals(dir.resolve("smart_mirror"), e.folder());

        Path f0 = e.write(t), f1 = e.write(t);
        assertEquals(dir.resolve("smart_mirror/anna_nohash_0.wav"), f0);
        assertEquals(dir.resolve("smart_mirror/anna_nohash_1.wav"), f1);
        AudioClip back = WavReader.read(f0, RATE);
        assertEquals(RATE, back.samples().length);
        for (int i = 0; i < RATE; i++) assertEquals(t.clip()[i], back.samples()[i], 1.0 / 32768 + 1e-7);
        // Another run by the same speaker continues the numbering; another speaker starts at 0.
        assertTrue(new Enrollment(dir, "smart mirror", "anna", RATE, RATE).write(t).endsWith("anna_nohash_2.wav"));
        assertTrue(new Enrollment(dir, "smart mirror", "ben", RATE, RATE).write(t).endsWith("ben_nohash_0.wav"));
    }

    @Test
    void aWordAtTheTakesEdgeIsPaddedWithZeros(@TempDir Path dir) throws Exception {
        float[] x = take(1.2, 2);
        voice(x, 0.05, 0.40, 0.3);
        Enrollment.Take t = new Enrollment(dir, "go", "anna", RATE, RATE).judge(x);
        assertTrue(t.accepted(), t.refusal());
        assertEquals(0f, t.clip()[0]);
    }

    @Test
    void aWordThatFitsIsKeptEvenWhenItsPaddingDoesNot(@TempDir Path dir) throws Exception {
        float[] x = take(2.5, 8);
        voice(x, 0.50, 1.45, 0.3);  // 0.95 s voiced; 1.07 s with the padding on both sides
        Enrollment.Take t = new Enrollment(dir, "computer", "anna", RATE, RATE).judge(x);
        assertTrue(t.accepted(), t.refusal());
    }

    @Test
    void faultyTakesAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
        Enrollment e = new Enrollment(dir, "computer", "anna", RATE, RATE);
        assertTrue(e.judge(take(2, 3)).refusal().startsWith("no word heard"), "only room noise");

        float[] clipped = take(2, 4);
        voice(clipped, 0.5, 1.0, 1.5);
        for (int i = 0; i < clipped.length; i++) clipped[i] = Math.max(-1f, Math.min(1f, clipped[i]));
        assertTrue(e.judge(clipped).refusal().contains("clipped"), e.judge(clipped).refusal());

        float[] quiet = take(2, 5);
        for (int i = 0; i < quiet.length; i++) quiet[i] *= 0.01f;  // floor near -105 dBFS
        voice(quiet, 0.5, 1.0, 0.005);  // about -49 dBFS
        assertTrue(e.judge(quiet).refusal().startsWith("too quiet"), e.judge(quiet).refusal());

        float[] longWord = take(2.5, 6);
        voice(longWord, 0.3, 1.7, 0.3);
        assertTrue(e.judge(longWord).refusal().contains("must fit in the model's 1.00 s clip"), e.judge(longWord).refusal());

        float[] twice = take(3, 7);
        voice(twice, 0.3, 0.7, 0.3);
        voice(twice, 1.6, 2.0, 0.3);
        assertTrue(e.judge(twice).refusal().startsWith("heard 2 utterances"), e.judge(twice).refusal());

        assertThrows(IllegalArgumentException.class, () -> e.write(e.judge(twice)));
        assertFalse(Files.exists(e.folder()), "nothing written for refused takes");
    }

    @Test
    void wordsAndSpeakersMustBeNames(@TempDir Path dir) {
        assertEquals("lights_on", Enrollment.folderName("  Lights   On "));
        assertEquals("привет", Enrollment.folderName("Привет"));
        for (String bad : new String[] {"", "_unknown_", "../etc", "a/b", "yes!"}) {
            assertThrows(IllegalArgumentException.class, () -> Enrollment.folderName(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new Enrollment(dir, "go", "anna_1", RATE, RATE));
        assertThrows(IllegalArgumentException.class, () -> new Enrollment(dir, "go", "", RATE, RATE));
    }
}
