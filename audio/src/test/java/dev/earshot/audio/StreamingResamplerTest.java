package dev.earshot.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Chunked conversion gives the same samples whatever the chunking, and follows the offline conversion. */
class StreamingResamplerTest {
    private static float[] run(float[] in, int from, int to, SplittableRandom chunks) {
        float[][] acc = {new float[0]};
        int[] n = {0};
        StreamingResampler r = new StreamingResampler(from, to, (a, off, len) -> {
            if (n[0] + len > acc[0].length) acc[0] = java.util.Arrays.copyOf(acc[0], Math.max(2 * acc[0].length, n[0] + len));
            System.arraycopy(a, off, acc[0], n[0], len);
            n[0] += len;
        });
        for (int i = 0; i < in.length; ) {
            int len = chunks == null ? in.length : Math.min(in.length - i, 1 + chunks.nextInt(700));
            r.push(in, i, len);
            i += len;
        }
        return java.util.Arrays.copyOf(acc[0], n[0]);
    }

    @ParameterizedTest
    @CsvSource({"44100, 16000", "48000, 16000", "8000, 16000", "22050, 16000", "16000, 16000"})
    void chunkingDoesNotMatterAndMatchesOffline(int from, int to) {
        SplittableRandom rng = new SplittableRandom(from);
        float[] in = new float[from * 2];
        for (int i = 0; i < in.length; i++) in[i] = (float) (0.3 * Math.sin(2 * Math.PI * 440 * i / from) + 0.05 * rng.nextGaussian());
        float[] whole = run(in, from, to, null);
        float[] chunked = run(in, from, to, new SplittableRandom(3));
        int n = Math.min(whole.length, chunked.length);
        assertTrue(n > to * 19 / 10, "most of the output is produced while streaming: " + n);
        // libresample's buffering rounds its position a little differently at chunk boundaries for non-integer
        // ratios: differences of ~1e-5 (a third of a 16-bit step) appear; 1e-4 bounds them with room.
        assertArrayEquals(java.util.Arrays.copyOf(whole, n), java.util.Arrays.copyOf(chunked, n), 1e-4f);
        // Against the offline conversion, allowing for the filter's latency: find the best alignment.
        float[] offline = Resampler.resample(in, from, to);
        double best = Double.MAX_VALUE;
        for (int lag = 0; lag <= 64; lag++) {
            double err = 0;
            int cnt = 0;
            for (int i = 200; i + lag < n && i < offline.length - 200; i++) {
                err += Math.abs(chunked[i + lag] - offline[i]);
                cnt++;
            }
            best = Math.min(best, err / cnt);
        }
        assertTrue(best < 1e-3, "mean difference from the offline conversion at the best lag: " + best);
    }
}
