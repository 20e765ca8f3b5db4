package dev.earshot.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.audio.FeatureSettings.FrameLayout;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Streaming frames equal offline frames for every chunking, arrive as soon as possible, and cost no allocation. */
class StreamingFeaturizerTest {
    static final FeatureSettings[] SETTINGS = {
            FeatureSettings.defaults(),
            FeatureSettings.builder().windowMillis(30, 10).coefficients(40).build(),
            FeatureSettings.builder().layout(FrameLayout.WINDOW).build(),
            // hop longer than the frame span: samples between frames are skipped
            FeatureSettings.builder().windowLength(256).hopLength(700).fftSize(256).melBands(20).coefficients(13).build(),
    };

    static float[] concat(float[] a, float[] b) {
        float[] c = new float[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Property: for random chunk sizes (1 sample up to ~2 s), frames equal the offline path to ≤ 1e-6. */
    @Test
    void randomChunkingsMatchOffline() throws Exception {
        float[] audio = concat(Fixtures.speech("yes_03401e93_nohash_0").samples(),
                Fixtures.speech("marvin_bf8d5617_nohash_0").samples());
        Random rnd = new Random(20261128);
        int trials = 0;
        for (FeatureSettings s : SETTINGS) {
            Mfcc mfcc = new Mfcc(s);
            float[][] offline = mfcc.compute(audio);
            for (int trial = 0; trial < 25; trial++, trials++) {
                List<float[]> frames = new ArrayList<>();
                StreamingFeaturizer f = new StreamingFeaturizer(mfcc, (i, fr) -> {
                    assertEquals(frames.size(), i, "frame index");
                    frames.add(fr.clone());
                });
                int maxChunk = switch (trial % 4) { case 0 -> 1; case 1 -> 7; case 2 -> 400; default -> 40000; };
                int pos = 0;
                while (pos < audio.length) {
                    int len = Math.min(audio.length - pos, 1 + rnd.nextInt(maxChunk));
                    if (rnd.nextBoolean()) {
                        f.push(audio, pos, len);
                    } else { // a chunk inside a larger array, at an offset
                        float[] buf = new float[len + 5];
                        System.arraycopy(audio, pos, buf, 3, len);
                        f.push(buf, 3, len);
                    }
                    pos += len;
                    // As soon as possible: every frame whose samples have all arrived has been emitted.
                    assertEquals(s.frameCount(pos), frames.size(), "frames after " + pos + " samples");
                }
                assertEquals(offline.length, frames.size());
                for (int t = 0; t < offline.length; t++) {
                    for (int c = 0; c < offline[t].length; c++) {
                        assertEquals(offline[t][c], frames.get(t)[c], 1e-6, "frame " + t + " coef " + c + " " + s);
                    }
                }
            }
        }
        assertEquals(100, trials);
    }

    @Test
    void shortInputMatchesFloatInputScaled() throws Exception {
        float[] audio = Fixtures.speech("stop_0cb74144_nohash_0").samples();
        short[] pcm = new short[audio.length];
        for (int i = 0; i < audio.length; i++) pcm[i] = (short) Math.round(audio[i] * 32768f);
        Mfcc mfcc = new Mfcc(FeatureSettings.defaults());
        float[][] offline = mfcc.compute(audio);
        List<float[]> frames = new ArrayList<>();
        StreamingFeaturizer f = new StreamingFeaturizer(mfcc, (i, fr) -> frames.add(fr.clone()));
        Random rnd = new Random(7);
        for (int pos = 0; pos < pcm.length; ) {
            int len = Math.min(pcm.length - pos, 1 + rnd.nextInt(999));
            f.push(pcm, pos, len);
            pos += len;
        }
        assertEquals(offline.length, frames.size());
        for (int t = 0; t < offline.length; t++) {
            for (int c = 0; c < offline[t].length; c++) assertEquals(offline[t][c], frames.get(t)[c], 1e-6);
        }
    }

    @Test
    void resetStartsOver() throws Exception {
        float[] audio = Fixtures.speech("yes_03401e93_nohash_0").samples();
        Mfcc mfcc = new Mfcc(FeatureSettings.defaults());
        List<float[]> frames = new ArrayList<>();
        StreamingFeaturizer f = new StreamingFeaturizer(mfcc, (i, fr) -> frames.add(fr.clone()));
        f.push(audio, 0, 5000); // partial: some frames, some leftover samples
        f.reset();
        frames.clear();
        assertEquals(0, f.samplesReceived());
        f.push(audio);
        float[][] offline = mfcc.compute(audio);
        assertEquals(offline.length, frames.size());
        assertEquals(offline.length, f.framesEmitted());
        for (int t = 0; t < offline.length; t++) assertEquals(offline[t][3], frames.get(t)[3], 1e-6);
    }

    @Test
    void badRangesAreRejected() {
        StreamingFeaturizer f = new StreamingFeaturizer(new Mfcc(FeatureSettings.defaults()), (i, fr) -> { });
        assertThrows(IndexOutOfBoundsException.class, () -> f.push(new float[10], 5, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> f.push(new short[10], -1, 2));
        assertThrows(NullPointerException.class, () -> new StreamingFeaturizer(new Mfcc(FeatureSettings.defaults()), null));
    }

    /** The hot path allocates nothing per frame: 60 s pushed in 10 ms chunks, allocation measured by the JVM. */
    @Test
    void noAllocationPerFrame() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported());
        mx.setThreadAllocatedMemoryEnabled(true);
        Mfcc mfcc = new Mfcc(FeatureSettings.defaults());
        long[] sink = new long[1];
        StreamingFeaturizer f = new StreamingFeaturizer(mfcc, (i, fr) -> sink[0] += (long) fr[0]);
        float[] chunk = new float[160];
        short[] pcm = new short[160];
        Random rnd = new Random(1);
        for (int i = 0; i < chunk.length; i++) { chunk[i] = (float) rnd.nextGaussian() * 0.1f; pcm[i] = (short) (chunk[i] * 30000); }
        for (int i = 0; i < 2000; i++) { f.push(chunk, 0, 160); f.push(pcm, 0, 160); } // warm up (JIT)
        long framesBefore = f.framesEmitted();
        long tid = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 3000; i++) { f.push(chunk, 0, 160); f.push(pcm, 0, 160); }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        long frames = f.framesEmitted() - framesBefore;
        assertTrue(frames > 2900, "frames " + frames);
        // Per-frame allocation of even one small array would be > 16 bytes x 2999 frames; allow JVM noise.
        assertTrue(allocated < 16 * 1024, "allocated " + allocated + " bytes for " + frames + " frames");
    }
}
