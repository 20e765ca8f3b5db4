package dev.earshot.datasets;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PitchShiftTest {
    static float[] tone(double hz, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / 16000));
        return x;
    }

    /** Frequency from upward zero crossings over the middle half. */
    static double frequency(float[] x) {
        int a = x.length / 4, b = 3 * x.length / 4, first = -1, last = -1, count = 0;
        for (int i = a + 1; i < b; i++) {
            if (x[i - 1] < 0 && x[i] >= 0) {
                if (first < 0) first = i;
                else count++;
                last = i;
            }
        }
        return count * 16000.0 / (last - first);
    }

    @Test
    void theToneMovesAndTheLengthStays() {
        float[] x = tone(200, 16000);
        for (double f : new double[] {0.85, 1.0, 1.2}) {
            float[] y = PitchShift.apply(x, 16000, f);
            assertEquals(x.length, y.length);
            assertEquals(200 * f, frequency(y), 200 * f * 0.02, "factor " + f);
        }
    }

    @Test
    void stretchingKeepsTheToneAndItsLevel() {
        float[] x = tone(310, 8000);
        float[] y = PitchShift.stretch(x, 12000, 16000);
        assertEquals(12000, y.length);
        assertEquals(310, frequency(y), 310 * 0.02);
        double rx = 0, ry = 0;
        for (int i = 2000; i < 6000; i++) rx += x[i] * (double) x[i];
        for (int i = 3000; i < 9000; i++) ry += y[i] * (double) y[i];
        assertEquals(Math.sqrt(rx / 4000), Math.sqrt(ry / 6000), 0.05, "RMS kept");
    }
}
