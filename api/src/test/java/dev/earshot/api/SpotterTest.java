package dev.earshot.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.audio.FeatureSettings;
import dev.earshot.gru.GruConfig;
import dev.earshot.gru.GruStream;
import dev.earshot.gru.Int8Tolerance;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The streaming spotter: each window's posteriors equal the clip classifier's on the same second of audio. */
class SpotterTest {
    private static float[] noise(long seed, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (0.2 * rng.nextGaussian() * Math.sin(i / 900.0));
        return a;
    }

    private record Window(long timeMs, float[] posterior) {}

    private static List<Window> windows(KeywordModel m, DetectionSettings s, float[] pcm, int chunk, String as) {
        List<Window> out = new ArrayList<>();
        SpotterListener l = new SpotterListener() {
            public void onDetection(Detection d) {}

            public void onPosteriors(long t, float[] p, float[] smoothed) {
                out.add(new Window(t, p.clone()));
            }
        };
        try (Spotter sp = new Spotter(m, s, l)) {
            SplittableRandom rng = new SplittableRandom(chunk);
            int i = 0;
            while (i < pcm.length) {
                int n = Math.min(pcm.length - i, chunk > 0 ? chunk : 1 + rng.nextInt(3000));
                switch (as) {
                    case "float" -> sp.accept(pcm, i, n);
                    case "short" -> {
                        short[] sh = new short[n];
                        for (int k = 0; k < n; k++) sh[k] = (short) Math.round(pcm[i + k] * 32767);
                        sp.accept(sh);
                    }
                    default -> {
                        byte[] b = new byte[2 * n];
                        for (int k = 0; k < n; k++) {
                            short v = (short) Math.round(pcm[i + k] * 32767);
                            b[2 * k] = (byte) v;
                            b[2 * k + 1] = (byte) (v >> 8);
                        }
                        // split the bytes at an odd place, so a sample straddles two calls
                        int cut = Math.min(b.length, 1 + 2 * rng.nextInt(Math.max(1, n)));
                        sp.acceptBytes(b, 0, cut);
                        sp.acceptBytes(b, cut, b.length - cut);
                    }
                }
                i += n;
            }
        }
        return out;
    }

    @Test
    void everyWindowMatchesTheClipClassifierOnThatSecond() throws IOException {
        try (KeywordModel m = KeywordModel.create(ModelFileTest.tinyModel(11))) {
            DetectionSettings s = DetectionSettings.defaults();
            float[] pcm = noise(1, 16000 * 3);
            List<Window> ws = windows(m, s, pcm, 0, "float");
            int hop = m.features().hopLength(), span = m.features().frameSpan();
            int strideFrames = 5;  // 100 ms at 20 ms hops
            // Windows end at frame 46 + 5j; frame t ends at sample t*hop + span.
            assertEquals((m.mfcc().frameCount(pcm.length) - m.clipFrames()) / strideFrames + 1, ws.size());
            for (int j = 0; j < ws.size(); j++) {
                int firstFrame = j * strideFrames;
                int start = firstFrame * hop;
                float[] second = java.util.Arrays.copyOfRange(pcm, start, start + m.clipSamples());
                float[] want = new float[m.labels().size()];
                float[] feats = m.clipFeatures(second);
                m.gru().infer(feats, 1, m.clipFrames(), want);
                KeywordModel.softmaxInPlace(want, 0, want.length);
                assertArrayEquals(want, ws.get(j).posterior(), 1e-5f, "window " + j);
                long endSample = (long) (firstFrame + m.clipFrames() - 1) * hop + span;
                // heard at the window's middle: its end less half a clip
                assertEquals(endSample * 1000 / 16000 - 500, ws.get(j).timeMs(), "time of window " + j);
            }
        }
    }

    /** {@code c} marked as trained for continuous listening. */
    private static ModelFile.Contents continuous(ModelFile.Contents c) {
        return ModelFileTest.withProvenance(c, Map.of(KeywordModel.STREAMING_KEY, KeywordModel.CONTINUOUS));
    }

    /** A model trained with context runs as one stream: after every frame, the GRU over all audio so far. */
    @Test
    void continuousModelPostsEveryFrameOfOneUnresetStream() throws IOException {
        try (KeywordModel m = KeywordModel.create(continuous(ModelFileTest.tinyModel(12)))) {
            assertTrue(m.continuous());
            float[] pcm = noise(2, 16000 * 3);
            List<Window> ws = windows(m, DetectionSettings.defaults(), pcm, 0, "float");
            float[][] frames = m.mfcc().compute(pcm);
            int c = m.mfcc().coefficients(), first = m.clipFrames() - 1;
            // The first posterior comes once a clip's worth of audio is in; then one per frame.
            assertEquals(frames.length - first, ws.size());
            int hop = m.features().hopLength(), span = m.features().frameSpan();
            for (int t = first; t < frames.length; t += 13) {
                float[] x = new float[(t + 1) * c];
                for (int i = 0; i <= t; i++) System.arraycopy(frames[i], 0, x, i * c, c);
                float[] want = new float[m.labels().size()];
                m.gru().infer(x, 1, t + 1, want);
                KeywordModel.softmaxInPlace(want, 0, want.length);
                Window w = ws.get(t - first);
                assertArrayEquals(want, w.posterior(), 1e-5f, "frame " + t);
                assertEquals(((long) t * hop + span) * 1000 / 16000 - 500, w.timeMs(), "time of frame " + t);
            }
        }
        try (KeywordModel m = KeywordModel.create(ModelFileTest.tinyModel(12))) {
            assertTrue(!m.continuous(), "no streaming key: windows, as models made before it");
        }
    }

    /**
     * A model from an INT8 file streams with int8 weights, which are exactly the stored ones (64 divides its hidden
     * size): the posteriors of the same weights streamed as float, frame by frame (within 1e-4 where the VNNI kernel
     * rounds x to int16 per block, 1e-5 with the float kernels).
     */
    @Test
    void int8ModelFileStreamsWithItsStoredWeights() throws IOException {
        FeatureSettings fs = FeatureSettings.defaults();
        GruConfig arch = new GruConfig(fs.coefficients(), 64, 1, 4);
        SplittableRandom rng = new SplittableRandom(13);
        float[] w = new float[(int) arch.parameterCount()];
        for (int i = 0; i < w.length; i++) w[i] = (float) (0.3 * rng.nextGaussian());
        ModelFile.Contents c = continuous(new ModelFile.Contents(List.of("_silence_", "_unknown_", "yes", "no"), fs, arch,
                16000, Map.of("data", "unit test"), w));
        byte[] file = ModelFile.encode(c, ModelFile.Precision.INT8);
        try (KeywordModel int8 = KeywordModel.load(new java.io.ByteArrayInputStream(file), "int8 model");
             KeywordModel asFloat = KeywordModel.create(int8.contents())) {
            assertEquals(GruStream.Weights.INT8, int8.streamWeights());
            assertEquals(GruStream.Weights.FLOAT32, asFloat.streamWeights());
            float[] pcm = noise(5, 16000 * 4);
            List<Window> got = windows(int8, DetectionSettings.defaults(), pcm, 0, "float");
            List<Window> want = windows(asFloat, DetectionSettings.defaults(), pcm, 0, "float");
            assertEquals(want.size(), got.size());
            float bound = Int8Tolerance.streamBound();
            for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i).posterior(), got.get(i).posterior(), bound, "frame " + i);
        }
    }

    /**
     * Recorded posteriors replayed through a {@link CommandRecognizer} at {@link Spotter#posteriorPeriodMs()} give
     * the spotter's own detections, for both kinds of model (eval-stream's threshold sweep relies on it; it once
     * replayed a continuous model's per-frame posteriors as if they came every 100 ms).
     */
    @Test
    void recordedPosteriorsReplayToTheSpottersDetections() throws IOException {
        ModelFile.Contents tiny = ModelFileTest.tinyModel(16);
        for (ModelFile.Contents c : List.of(tiny, continuous(tiny))) {
            try (KeywordModel m = KeywordModel.create(c)) {
                DetectionSettings s = new DetectionSettings(750, 1e-6f, Map.of(), 700, 2, 100);
                List<Detection> live = new ArrayList<>(), replayed = new ArrayList<>();
                List<Window> ws = new ArrayList<>();
                SpotterListener l = new SpotterListener() {
                    public void onDetection(Detection d) {
                        live.add(d);
                    }

                    public void onPosteriors(long t, float[] p, float[] smoothed) {
                        ws.add(new Window(t, p.clone()));
                    }
                };
                int period;
                try (Spotter sp = new Spotter(m, s, l)) {
                    sp.accept(noise(5, 16000 * 5));
                    period = sp.posteriorPeriodMs();
                }
                long hopMs = 1000L * m.features().hopLength() / m.sampleRate();
                assertEquals(m.continuous() ? hopMs : 100, period);
                CommandRecognizer rec = new CommandRecognizer(m.labels(), s, period);
                for (Window w : ws) {
                    Detection d = rec.accept(w.timeMs(), w.posterior());
                    if (d != null) replayed.add(d);
                }
                assertTrue(live.size() >= 4, "detections: " + live);
                assertEquals(live, replayed, m.continuous() ? "continuous" : "windows");
            }
        }
    }

    @Test
    void chunkingAndSampleFormatDoNotChangeTheResult() throws IOException {
        try (KeywordModel m = KeywordModel.create(ModelFileTest.tinyModel(12))) {
            DetectionSettings s = DetectionSettings.defaults();
            float[] pcm = noise(2, 16000 * 2);
            // quantize once so that float, short and byte inputs carry the same samples
            for (int i = 0; i < pcm.length; i++) pcm[i] = Math.round(pcm[i] * 32767) / 32768f;
            List<Window> ref = windows(m, s, pcm, pcm.length, "float");
            for (String as : new String[] {"float", "short", "bytes"}) {
                for (int chunk : new int[] {1, 160, 0}) {
                    if (chunk == 1 && !as.equals("float")) continue;
                    List<Window> got = windows(m, s, pcm, chunk, as);
                    assertEquals(ref.size(), got.size(), as + " chunk " + chunk);
                    for (int j = 0; j < ref.size(); j++) {
                        assertEquals(ref.get(j).timeMs(), got.get(j).timeMs());
                        assertArrayEquals(ref.get(j).posterior(), got.get(j).posterior(), 2e-4f, as + " chunk " + chunk);
                    }
                }
            }
        }
    }

    @Test
    void detectionsFollowThresholdSuppressionAndMinimumCount() throws IOException {
        try (KeywordModel m = KeywordModel.create(ModelFileTest.tinyModel(13))) {
            float[] pcm = noise(3, 16000 * 6);
            // A threshold every keyword average clears, to check suppression and minimum count.
            DetectionSettings s = new DetectionSettings(500, 1e-6f, Map.of(), 1000, 3, 100);
            List<Detection> got = new ArrayList<>();
            try (Spotter sp = new Spotter(m, s, got::add)) {
                sp.accept(pcm);
            }
            assertTrue(got.size() >= 4, "detections: " + got);
            for (int i = 1; i < got.size(); i++) {
                assertTrue(got.get(i).timeMs() - got.get(i - 1).timeMs() >= 1000, "suppression: " + got);
            }
            // The first detection waits for 3 windows: 2 strides after the first window ends.
            long firstWindowEnd = ((long) (m.clipFrames() - 1) * m.features().hopLength() + m.features().frameSpan()) * 1000 / 16000;
            assertEquals(firstWindowEnd - 500 + 200, got.get(0).timeMs());
            // An unreachable per-keyword threshold silences that keyword.
            Map<String, Float> th = Map.of("yes", 1f, "no", 1f);
            List<Detection> none = new ArrayList<>();
            try (Spotter sp = new Spotter(m, new DetectionSettings(500, 1f, th, 1000, 1, 100), none::add)) {
                sp.accept(pcm);
            }
            assertEquals(List.of(), none);
        }
    }

    @Test
    void audioAtAnotherRateIsConvertedOnTheWayIn() throws IOException {
        try (KeywordModel m = KeywordModel.create(ModelFileTest.tinyModel(15))) {
            float[] pcm48 = noise(4, 48000 * 3);
            // What the 48 kHz spotter should hear: the same conversion done offline.
            float[] pcm16 = dev.earshot.audio.Resampler.resample(pcm48, 48000, 16000);
            List<float[]> a = new ArrayList<>(), b = new ArrayList<>();
            try (Spotter s16 = new Spotter(m, DetectionSettings.defaults(), listener(a));
                 Spotter s48 = new Spotter(m, DetectionSettings.defaults(), listener(b), 48000)) {
                s16.accept(pcm16);
                for (int i = 0; i < pcm48.length; i += 4800) s48.accept(pcm48, i, Math.min(4800, pcm48.length - i));
                assertEquals(48000, s48.inputRate());
            }
            // The streaming filter holds back its last few input samples, so the last window may be missing.
            assertTrue(b.size() >= a.size() - 1 && b.size() <= a.size(), a.size() + " vs " + b.size());
            for (int j = 0; j < b.size(); j++) assertArrayEquals(a.get(j), b.get(j), 0.02f, "window " + j);
            assertThrows(IllegalArgumentException.class, () -> new Spotter(m, DetectionSettings.defaults(), d -> {}, 10));
        }
    }

    private static SpotterListener listener(List<float[]> out) {
        return new SpotterListener() {
            public void onDetection(Detection d) {}

            public void onPosteriors(long t, float[] p, float[] smoothed) {
                out.add(p.clone());
            }
        };
    }

    @Test
    void closedSpotterAndBadChunksAreRefused() throws IOException {
        try (KeywordModel m = KeywordModel.create(ModelFileTest.tinyModel(14))) {
            Spotter sp = new Spotter(m, DetectionSettings.defaults(), d -> {});
            assertThrows(IndexOutOfBoundsException.class, () -> sp.accept(new float[10], 5, 6));
            assertThrows(IndexOutOfBoundsException.class, () -> sp.acceptBytes(new byte[10], -1, 2));
            sp.close();
            sp.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> sp.accept(new float[10]));
            assertTrue(e.getMessage().contains("closed"));
            assertThrows(IllegalArgumentException.class, () -> new DetectionSettings(500, 1.5f, Map.of(), 0, 1, 100));
        }
    }
}
