package dev.earshot.datasets;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NegativeAudioTest {
    @TempDir
    Path dir;

    private static float[] ramp(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = ((i % 20000) - 10000) / 32768f;
        return x;
    }

    @Test
    void readsRecursivelyFollowsLinksAndNamesTheFilesItSkips() throws IOException {
        Path root = dir.resolve("neg");
        Fixtures.wav(root.resolve("a.wav"), ramp(8000));
        Fixtures.wav(root.resolve("deep/er/b.wav"), ramp(40000));
        Files.writeString(root.resolve("deep/broken.wav"), "not a wav file");
        Files.writeString(root.resolve("README.md"), "about these files");
        Files.write(root.resolve("deep/song.flac"), new byte[100]);
        Path outside = dir.resolve("elsewhere");
        Fixtures.wav(outside.resolve("c.wav"), ramp(16000));
        Files.createSymbolicLink(root.resolve("linked"), outside);

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        NegativeAudio n = NegativeAudio.load(List.of(root), 16000, 0, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(List.of("a.wav", "deep/er/b.wav", "linked/c.wav"),
                n.recordings().stream().map(NegativeAudio.Recording::name).toList());
        assertEquals(40000, n.recordings().get(1).length());
        String warnings = err.toString(StandardCharsets.UTF_8);
        assertTrue(warnings.contains("broken.wav: not a RIFF file") && warnings.contains("(skipped)"), warnings);
        assertTrue(warnings.contains("song.flac: skipped: .flac is not read"), warnings);
        assertFalse(warnings.contains("README"), warnings);
        assertTrue(n.description().contains("3 files"), n.description());
        // Exact samples: a 16-bit file reads back bit for bit.
        assertEquals(ramp(8000)[123], n.samples(0)[123]);
    }

    @Test
    void refusesAFolderWithNoReadableAudioAndShortFilesWhenAskedForLongOnes() throws IOException {
        Path root = dir.resolve("bad");
        Files.createDirectories(root);
        Files.writeString(root.resolve("x.wav"), "garbage");
        IOException e = assertThrows(IOException.class, () -> NegativeAudio.load(List.of(root), 16000, 0, System.err));
        assertTrue(e.getMessage().contains(root.toString()) && e.getMessage().contains("no readable audio"), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> NegativeAudio.load(List.of(dir.resolve("missing")), 16000, 0, System.err));

        Path bg = dir.resolve("bg");
        Fixtures.wav(bg.resolve("short.wav"), ramp(8000));
        Fixtures.wav(bg.resolve("long.wav"), ramp(32000));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        NegativeAudio n = NegativeAudio.load(List.of(bg), 16000, 16000, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(List.of("long.wav"), n.recordings().stream().map(NegativeAudio.Recording::name).toList());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("short.wav: skipped: 0.50 s long"), err.toString());
    }

    @Test
    void windowsOfLongFilesMoveAndShortFilesLieInsideTheWindow() throws IOException {
        Path root = dir.resolve("w");
        Fixtures.wav(root.resolve("long.wav"), ramp(48000));
        Fixtures.wav(root.resolve("short.wav"), ramp(4000));
        NegativeAudio n = NegativeAudio.load(List.of(root), 16000, 0, System.err);
        int longIdx = 0, shortIdx = 1;
        assertEquals("long.wav", n.recordings().get(longIdx).name());
        SplittableRandom r = new SplittableRandom(3);
        java.util.Set<Integer> starts = new java.util.HashSet<>();
        for (int k = 0; k < 200; k++) {
            int s = n.randomStart(longIdx, 16000, r);
            assertTrue(s >= 0 && s <= 32000, "start " + s);
            starts.add(s);
            int t = n.randomStart(shortIdx, 16000, r);
            assertTrue(t >= -12000 && t <= 0, "start " + t);
            float[] w = n.window(shortIdx, t, 16000);
            assertEquals(n.samples(shortIdx)[0], w[-t]);       // the file lies whole inside the window
            assertEquals(n.samples(shortIdx)[3999], w[-t + 3999]);
        }
        assertTrue(starts.size() > 150, "fresh offsets each draw: " + starts.size());
        float[] w = n.window(longIdx, 47000, 16000);            // past the end: zeros
        assertEquals(n.samples(longIdx)[47999], w[999]);
        assertEquals(0f, w[1000]);
    }
}
