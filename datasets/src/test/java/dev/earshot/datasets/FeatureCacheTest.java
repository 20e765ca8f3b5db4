package dev.earshot.datasets;

import static org.junit.jupiter.api.Assertions.*;

import dev.earshot.audio.FeatureSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureCacheTest {
    @TempDir
    Path tmp;
    List<Path> clips;
    AtomicInteger calls;
    Function<Path, float[]> featurize;

    @BeforeEach
    void setUp() throws IOException {
        Path root = Fixtures.tree(tmp.resolve("data"), List.of("yes", "no"), 3, 2, 0, false);
        clips = new ArrayList<>();
        for (Clip c : SpeechCommandsDataset.open(root).clips()) clips.add(c.file());
        calls = new AtomicInteger();
        // A real, content-dependent featurizer: byte size, sum of bytes and the name's length; lengths vary per clip.
        featurize = p -> {
            calls.incrementAndGet();
            try {
                byte[] b = Files.readAllBytes(p);
                long sum = 0;
                for (byte x : b) sum += x;
                float[] f = new float[1 + p.getFileName().toString().length() % 4];
                f[0] = b.length;
                for (int i = 1; i < f.length; i++) f[i] = sum * i;
                return f;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private void assertFeaturesCorrect(FeatureCache.Features got) {
        AtomicInteger saved = new AtomicInteger(calls.get());
        assertEquals(clips.size(), got.size());
        for (int i = 0; i < clips.size(); i++) assertArrayEquals(featurize.apply(clips.get(i)), got.get(i), clips.get(i).toString());
        calls.set(saved.get());
    }

    @Test
    void secondLoadReadsTheFileWithoutFeaturizing() throws IOException {
        Path cache = tmp.resolve("cache");
        FeatureCache.Features first = FeatureCache.load(cache, clips, "k1", featurize);
        assertEquals(FeatureCache.Status.BUILT, first.status());
        assertEquals(clips.size(), calls.get());
        assertFeaturesCorrect(first);

        calls.set(0);
        FeatureCache.Features second = FeatureCache.load(cache, clips, "k1", featurize);
        assertEquals(FeatureCache.Status.LOADED, second.status());
        assertEquals(0, calls.get(), "a valid cache must not call the featurizer");
        assertEquals(first.file(), second.file());
        assertFeaturesCorrect(second);
        // No temporary files are left behind.
        try (var s = Files.list(cache)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void otherSettingsKeyIsAnotherFile() throws IOException {
        Path cache = tmp.resolve("cache");
        FeatureCache.Features a = FeatureCache.load(cache, clips, "k1", featurize);
        calls.set(0);
        FeatureCache.Features b = FeatureCache.load(cache, clips, "k2", featurize);
        assertEquals(FeatureCache.Status.BUILT, b.status());
        assertEquals(clips.size(), calls.get());
        assertNotEquals(a.file(), b.file());
        String d = FeatureCache.settingsKey(FeatureSettings.defaults());
        assertEquals(d, FeatureCache.settingsKey(FeatureSettings.defaults()));
        assertNotEquals(d, FeatureCache.settingsKey(FeatureSettings.builder().coefficients(13).build()));
    }

    @Test
    void damagedFileIsDetectedAndRebuilt() throws IOException {
        Path cache = tmp.resolve("cache");
        Path file = FeatureCache.load(cache, clips, "k", featurize).file();
        byte[] b = Files.readAllBytes(file);
        b[b.length - 20] ^= 0x40; // one bit of the feature data
        Files.write(file, b);
        calls.set(0);
        FeatureCache.Features got = FeatureCache.load(cache, clips, "k", featurize);
        assertEquals(FeatureCache.Status.REBUILT_CORRUPT, got.status(), got.problem());
        assertTrue(got.problem().contains("checksum"), got.problem());
        assertEquals(clips.size(), calls.get());
        assertFeaturesCorrect(got);
        calls.set(0);
        assertEquals(FeatureCache.Status.LOADED, FeatureCache.load(cache, clips, "k", featurize).status());
        assertEquals(0, calls.get());
    }

    @Test
    void truncatedOrGarbageFileIsRebuilt() throws IOException {
        Path cache = tmp.resolve("cache");
        Path file = FeatureCache.load(cache, clips, "k", featurize).file();
        byte[] b = Files.readAllBytes(file);
        for (int cut : new int[]{b.length - 3, b.length / 2, 10, 0}) {
            Files.write(file, java.util.Arrays.copyOf(b, cut));
            FeatureCache.Features got = FeatureCache.load(cache, clips, "k", featurize);
            assertEquals(FeatureCache.Status.REBUILT_CORRUPT, got.status(), "cut at " + cut);
            assertFeaturesCorrect(got);
        }
        // A header claiming a huge clip count must not allocate or crash.
        byte[] bad = Files.readAllBytes(file);
        bad[8] = 0x7f; // first byte of the key length
        Files.write(file, bad);
        assertEquals(FeatureCache.Status.REBUILT_CORRUPT, FeatureCache.load(cache, clips, "k", featurize).status());
    }

    @Test
    void changedClipIsRecomputed() throws IOException {
        Path cache = tmp.resolve("cache");
        FeatureCache.load(cache, clips, "k", featurize);
        Fixtures.wav(clips.get(2), Fixtures.tone(40, 3200));
        Files.setLastModifiedTime(clips.get(2), FileTime.fromMillis(Files.getLastModifiedTime(clips.get(2)).toMillis() + 5000));
        calls.set(0);
        FeatureCache.Features got = FeatureCache.load(cache, clips, "k", featurize);
        assertEquals(FeatureCache.Status.REBUILT_STALE, got.status());
        assertFeaturesCorrect(got);
    }

    @Test
    void featurizerFailureNamesTheClipAndWritesNothing() throws IOException {
        Path cache = tmp.resolve("cache");
        Path bad = clips.get(1);
        Function<Path, float[]> failing = p -> {
            if (p.equals(bad)) throw new UncheckedIOException(new IOException("boom"));
            return new float[]{1};
        };
        IOException e = assertThrows(IOException.class, () -> FeatureCache.load(cache, clips, "k", failing));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("boom"), e.getMessage());
        IOException e2 = assertThrows(IOException.class, () -> FeatureCache.load(cache, clips, "k", failing, 2));
        assertTrue(e2.getMessage().contains(bad.toString()), e2.getMessage());
        try (var s = Files.list(cache)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void parallelBuildGivesTheSameFeatures() throws IOException {
        FeatureCache.Features got = FeatureCache.load(tmp.resolve("cache"), clips, "k", featurize, 2);
        assertFeaturesCorrect(got);
    }
}
