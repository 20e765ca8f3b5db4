package dev.earshot.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.audio.FeatureSettings.FrameLayout;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class FeatureSettingsTest {
    @Test
    void defaultsAreTheAnchorRecipe() {
        FeatureSettings s = FeatureSettings.defaults();
        assertEquals(16000, s.sampleRate());
        assertEquals(640, s.windowLength());
        assertEquals(320, s.hopLength());
        assertEquals(1024, s.fftSize());
        assertEquals(40, s.melBands());
        assertEquals(20.0, s.minHz());
        assertEquals(7600.0, s.maxHz());
        assertEquals(10, s.coefficients());
        assertEquals(1e-6, s.logFloor());
        assertEquals(FrameLayout.TORCH_STFT, s.layout());
        assertEquals(false, s.normalized());
        assertEquals(47, s.frameCount(16000));
        assertEquals(0, s.frameCount(1023));
        assertEquals(1, s.frameCount(1024));
        FeatureSettings alt = FeatureSettings.builder().windowMillis(30, 10).coefficients(40).build();
        assertEquals(480, alt.windowLength());
        assertEquals(160, alt.hopLength());
        assertEquals(512, alt.fftSize());
        assertEquals(97, alt.frameCount(16000));
    }

    private static byte[] serialize(FeatureSettings s) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        s.writeTo(new DataOutputStream(bos));
        return bos.toByteArray();
    }

    @Test
    void binaryAndMapFormsRoundTrip() throws IOException {
        FeatureSettings[] all = {
                FeatureSettings.defaults(),
                FeatureSettings.builder().windowMillis(30, 10).coefficients(40).layout(FrameLayout.WINDOW).build(),
                FeatureSettings.builder().normalization(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
                        new float[]{.5f, 1, 1, 1, 1, 1, 1, 1, 1, 2}).build(),
        };
        for (FeatureSettings s : all) {
            byte[] b = serialize(s);
            FeatureSettings back = FeatureSettings.readFrom(new DataInputStream(new ByteArrayInputStream(b)));
            assertEquals(s, back);
            assertEquals(s.hashCode(), back.hashCode());
            assertEquals(s, FeatureSettings.fromMap(s.toMap()));
        }
        assertEquals(57, serialize(FeatureSettings.defaults()).length, "documented layout: 4+5*4+2*8+4+8+1+4");
        assertNotEquals(all[0], all[1]);
    }

    @Test
    void corruptBinaryFormIsAnIOException() throws IOException {
        byte[] b = serialize(FeatureSettings.defaults());
        byte[] badMagic = b.clone();
        badMagic[0] = 0;
        assertThrows(IOException.class, () -> FeatureSettings.readFrom(new DataInputStream(new ByteArrayInputStream(badMagic))));
        byte[] badLayout = b.clone();
        badLayout[52] = 9; // the layout byte
        assertThrows(IOException.class, () -> FeatureSettings.readFrom(new DataInputStream(new ByteArrayInputStream(badLayout))));
        byte[] hugeNorm = b.clone();
        hugeNorm[53] = 0x7f; // normCount = 0x7f000000: must not be allocated
        IOException e = assertThrows(IOException.class,
                () -> FeatureSettings.readFrom(new DataInputStream(new ByteArrayInputStream(hugeNorm))));
        assertTrue(e.getMessage().contains("normalization count"), e.getMessage());
        byte[] badValue = b.clone();
        badValue[15] = 0; badValue[14] = 0; // hop = 0
        assertThrows(IOException.class, () -> FeatureSettings.readFrom(new DataInputStream(new ByteArrayInputStream(badValue))));
        assertThrows(IOException.class, () -> FeatureSettings.readFrom(
                new DataInputStream(new ByteArrayInputStream(java.util.Arrays.copyOf(b, 30)))));
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> FeatureSettings.builder().fftSize(1000).build());
        assertThrows(IllegalArgumentException.class, () -> FeatureSettings.builder().fftSize(1 << 20).build()); // absurd table
        assertThrows(IllegalArgumentException.class, () -> FeatureSettings.builder().windowLength(4096).melBands(2000).build());
        assertThrows(IllegalArgumentException.class, () -> FeatureSettings.builder().fftSize(512).build());
        assertThrows(IllegalArgumentException.class, () -> FeatureSettings.builder().coefficients(41).build());
        assertThrows(IllegalArgumentException.class, () -> FeatureSettings.builder().frequencyRange(20, 9000).build());
        assertThrows(IllegalArgumentException.class, () -> FeatureSettings.builder().hopLength(0).build());
        assertThrows(IllegalArgumentException.class, () -> FeatureSettings.builder()
                .normalization(new float[3], new float[3]).build());
        assertThrows(IllegalArgumentException.class, () -> FeatureSettings.builder()
                .normalization(new float[10], new float[10]).build()); // std 0
    }

    @Test
    void normalizationIsAppliedPerCoefficient() throws Exception {
        float[] audio = Fixtures.speech("yes_03401e93_nohash_0").samples();
        float[][] raw = new Mfcc(FeatureSettings.defaults()).compute(audio);
        float[] mean = new float[10], std = new float[10];
        for (int c = 0; c < 10; c++) { mean[c] = c - 4.5f; std[c] = 0.5f + c; }
        float[][] norm = new Mfcc(FeatureSettings.builder().normalization(mean, std).build()).compute(audio);
        for (int t = 0; t < raw.length; t++) {
            float[] want = new float[10];
            for (int c = 0; c < 10; c++) want[c] = (raw[t][c] - mean[c]) / std[c];
            assertArrayEquals(want, norm[t], 1e-5f);
        }
    }

    /** Mutated serialized settings: each read gives valid settings or an IOException, never anything else. */
    @Test
    void mutatedBinaryFormIsSettingsOrIOException() throws IOException {
        byte[] base = serialize(FeatureSettings.builder().normalization(new float[10], filled(10, 1f)).build());
        java.util.SplittableRandom r = new java.util.SplittableRandom(57);
        int ok = 0, bad = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] b = base.clone();
            for (int m = 0, n = 1 + r.nextInt(4); m < n; m++) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            if (r.nextInt(4) == 0) b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
            try {
                FeatureSettings s = FeatureSettings.readFrom(new DataInputStream(new ByteArrayInputStream(b)));
                assertEquals(s, FeatureSettings.readFrom(new DataInputStream(new ByteArrayInputStream(serialize(s)))));
                ok++;
            } catch (IOException e) {
                bad++;
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + ": " + e, e);
            }
        }
        assertTrue(ok > 0 && bad > 0, ok + " read, " + bad + " refused");
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
