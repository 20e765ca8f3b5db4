package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import javax.sound.sampled.TargetDataLine;
import org.junit.jupiter.api.Test;

/** {@code listen}'s option checks, and how it tells the end of a capture line's input. */
class ListenCommandTest {
    @Test
    void secondsMustBePositive() {
        for (String bad : List.of("-1", "0", "NaN", "-0.5")) {
            for (List<String> source : List.of(List.of("--input", ListenAlsaTest.DEMO.toString()), List.<String>of())) {
                List<String> args = new java.util.ArrayList<>(List.of("listen", "--seconds", bad));
                args.addAll(source);
                TrainEvalRecognizeTest.Run r = TrainEvalRecognizeTest.run(args.toArray(String[]::new));
                assertEquals(2, r.exit(), args + ": " + r.err());
                assertTrue(r.err().startsWith("earshot listen: --seconds must be a number of seconds > 0"), r.err());
                assertFalse(r.err().contains("Usage"), "no usage dump: " + r.err());
                assertEquals("", r.out(), "no work done");
            }
        }
    }

    /** A line that reads from {@code source}, then (like ALSA's file PCM at its end) "reads" without writing. */
    static TargetDataLine line(byte[] source, boolean shortReadAtEnd) {
        int[] pos = {0};
        return (TargetDataLine) Proxy.newProxyInstance(TargetDataLine.class.getClassLoader(),
                new Class<?>[] {TargetDataLine.class}, (proxy, method, a) -> {
                    if (!method.getName().equals("read")) throw new UnsupportedOperationException(method.getName());
                    byte[] b = (byte[]) a[0];
                    int off = (Integer) a[1], len = (Integer) a[2];
                    int n = Math.min(len, source.length - pos[0]);
                    System.arraycopy(source, pos[0], b, off, n);
                    pos[0] += n;
                    return shortReadAtEnd ? n : len;
                });
    }

    @Test
    void deliveredCountsWhatTheLineWrote() {
        byte[] audio = new byte[1000];
        new SplittableRandom(4).nextBytes(audio);
        for (boolean shortRead : new boolean[] {false, true}) {
            TargetDataLine l = line(audio, shortRead);
            byte[] buf = new byte[320];
            int total = 0;
            for (int i = 0; i < 3; i++) {
                assertEquals(320, Microphone.delivered(l, buf, 320, 2));
                assertArrayEquals(Arrays.copyOfRange(audio, total, total + 320), buf);
                total += 320;
            }
            assertEquals(40, Microphone.delivered(l, buf, 320, 2), "the end: 40 of 320 bytes written");
            assertArrayEquals(Arrays.copyOfRange(audio, 960, 1000), Arrays.copyOf(buf, 40));
            assertEquals(0, Microphone.delivered(l, buf, 320, 2), "then nothing");
            assertEquals(0, Microphone.delivered(l, buf, 320, 2), "and nothing again");
        }
    }

    /** Audio may match the unwritten pattern in a few bytes by chance (or be silence): it is all delivered. */
    @Test
    void audioThatLooksLikeThePatternIsKept() {
        byte[] pattern = new byte[320];
        TargetDataLine probe = line(new byte[0], true);
        Microphone.delivered(probe, pattern, 320, 2);  // nothing read: the buffer holds the pattern
        for (int k : new int[] {1, 2, 7, 15}) {
            byte[] audio = new byte[320];
            new SplittableRandom(k).nextBytes(audio);
            System.arraycopy(pattern, 320 - k, audio, 320 - k, k);  // the last k bytes as the pattern
            assertEquals(320, Microphone.delivered(line(audio, false), new byte[320], 320, 2), "k=" + k);
        }
        assertEquals(320, Microphone.delivered(line(new byte[320], false), new byte[320], 320, 2), "digital silence");
    }
}
