package dev.earshot.datasets;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RoomReverbTest {
    /** RT60 from Schroeder's backward integral: the time its level takes from -5 to -25 dB, times 3. */
    static double rt60(float[] h, int rate) {
        double[] e = new double[h.length + 1];
        for (int i = h.length - 1; i >= 0; i--) e[i] = e[i + 1] + h[i] * (double) h[i];
        int a = -1, b = -1;
        for (int i = 0; i < h.length; i++) {
            double db = 10 * Math.log10(e[i] / e[0]);
            if (a < 0 && db <= -5) a = i;
            if (b < 0 && db <= -25) b = i;
        }
        return 3.0 * (b - a) / rate;
    }

    @Test
    void roomsDecayInTheirRt60() {
        for (double rt : new double[] {0.2, 0.5, 0.8}) {
            float[] h = RoomReverb.impulseResponse(rt, 16000, new SplittableRandom(3));
            assertEquals(1f, h[0], 1e-6f, "direct sound");
            assertEquals(rt, rt60(h, 16000), 0.15 * rt, "RT60 " + rt);
            double tail = 0;
            for (int i = 1; i < h.length; i++) tail += h[i] * (double) h[i];
            assertEquals(1.0, tail, 0.5, "reverberant energy about the direct sound's");
        }
    }

    /** The FFT convolution against a plain one, on a short clip and on an impulse. */
    @Test
    void convolvesAsAPlainSumDoes() {
        int rate = 8000, clip = 4000;
        RoomReverb rooms = new RoomReverb(3, rate, clip, 11);
        SplittableRandom r = new SplittableRandom(2);
        float[] x = new float[clip];
        for (int i = 1000; i < 1400; i++) x[i] = (float) (r.nextDouble() - 0.5);
        float[] impulse = new float[clip];
        impulse[0] = 0.5f;
        float[] h = rooms.apply(impulse, 1);  // the room's response, at the impulse's peak
        float[] y = rooms.apply(x, 1);
        double peakPlain = 0;
        float[] plain = new float[clip];
        for (int n = 0; n < clip; n++) {
            double s = 0;
            for (int k = 0; k <= n; k++) s += x[k] * (double) h[n - k];
            plain[n] = (float) s;
            peakPlain = Math.max(peakPlain, Math.abs(s));
        }
        float peakX = 0;
        for (float v : x) peakX = Math.max(peakX, Math.abs(v));
        for (int n = 0; n < clip; n++) assertEquals(plain[n] * peakX / peakPlain, y[n], 1e-4, "sample " + n);
        assertEquals(0.5f, h[0], 1e-5f, "the direct sound first, at the impulse's peak");
        assertNotEquals(rooms.apply(x, 0)[2000], rooms.apply(x, 2)[2000], "rooms differ");
    }
}
