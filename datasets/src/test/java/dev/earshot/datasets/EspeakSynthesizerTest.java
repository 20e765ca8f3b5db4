package dev.earshot.datasets;

import static org.junit.jupiter.api.Assertions.*;

import dev.earshot.audio.AudioClip;
import dev.earshot.audio.WavReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EspeakSynthesizerTest {
    @TempDir
    Path tmp;

    @Test
    void missingEspeakIsOneClearLine() {
        EspeakSynthesizer s = new EspeakSynthesizer("espeak-ng-that-does-not-exist", null);
        IOException e = assertThrows(IOException.class,
                () -> s.synthesize(tmp.resolve("out"), new EspeakSynthesizer.Options(List.of("yes"), 1, 1, 1)));
        assertTrue(e.getMessage().startsWith(EspeakSynthesizer.NOT_INSTALLED), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install espeak-ng"));
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void badOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new EspeakSynthesizer.Options(List.of("Yes!"), 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new EspeakSynthesizer.Options(List.of("yes"), 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new EspeakSynthesizer.Options(List.of(), 1, 1, 1));
    }

    /** Needs espeak-ng (scripts/setup.sh installs it); 2 words x 2 voices x 2 clips. */
    @Test
    void writesASpeechCommandsShapedSetThatHoldsVoicesOut() throws IOException {
        EspeakSynthesizer s = new EspeakSynthesizer("espeak-ng", null);
        s.checkInstalled();
        Path out = tmp.resolve("synth");
        int n = s.synthesize(out, new EspeakSynthesizer.Options(List.of("yes", "stop"), 2, 2, 7));
        assertEquals(8, n);
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(out);
        assertEquals(List.of("stop", "yes"), ds.words());
        assertEquals(2, ds.speakers().size());
        assertEquals(2, ds.backgroundNoiseFiles().size());
        Set<String> files = new HashSet<>();
        for (Clip c : ds.clips()) {
            assertTrue(c.fileName().matches("[a-z0-9.-]+_nohash_[01]\\.wav"), c.fileName());
            AudioClip a = WavReader.read(c.file());
            assertEquals(16000, a.sampleRate(), c.toString());
            assertEquals(1, a.channels());
            assertEquals(16, a.bitsPerSample());
            assertEquals(16000, a.samples().length, c + " must be exactly one second");
            double energy = 0;
            float peak = 0;
            for (float v : a.samples()) {
                energy += v * v;
                peak = Math.max(peak, Math.abs(v));
            }
            assertTrue(peak > 0.25 && peak <= 1, c + " peak " + peak);
            assertTrue(energy > 1, c + " is nearly silent");
            files.add(c.relativePath());
        }
        assertEquals(8, files.size());
        // Clips of one voice differ (rates and pitches vary per clip).
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(ds.clips().get(0).file()), Files.readAllBytes(ds.clips().get(1).file())));
        // A speaker split puts each voice wholly in one split.
        SplitPolicy p = SplitPolicy.speakerHeldOut(ds, 50, 0, 1);
        for (Clip c : ds.clips()) {
            for (Clip d : ds.clips()) if (c.speaker().equals(d.speaker())) assertEquals(p.splitOf(c), p.splitOf(d));
        }
        // Nothing temporary is left.
        try (var st = Files.list(out)) {
            assertTrue(st.noneMatch(x -> x.getFileName().toString().startsWith(".")));
        }
    }
}
