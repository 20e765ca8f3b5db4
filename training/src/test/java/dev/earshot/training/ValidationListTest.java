package dev.earshot.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.earshot.datasets.Clip;
import dev.earshot.datasets.Split;
import dev.earshot.datasets.SplitPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A validation list holds out its speakers: their clips the list does not name train neither. */
class ValidationListTest {
    @TempDir
    Path dir;

    private static Clip clip(String rel) {
        String word = rel.substring(0, rel.indexOf('/')), name = rel.substring(rel.indexOf('/') + 1);
        return new Clip(Path.of("/data").resolve(rel), rel, word, Clip.speakerOf(name));
    }

    @Test
    void listedSpeakersLaterClipsAreHeldOutOfTraining() throws Exception {
        Path list = dir.resolve("val.txt");
        Files.writeString(list, "yes/aaaa1111_nohash_0.wav\n_silence_/noise_3.wav\n");
        SplitPolicy p = DataLoader.validationList(list);
        assertEquals(Split.VALIDATION, p.splitOf(clip("yes/aaaa1111_nohash_0.wav")));
        assertEquals(Split.TESTING, p.splitOf(clip("dog/aaaa1111_nohash_2.wav")), "same speaker, not listed");
        assertEquals(Split.TRAINING, p.splitOf(clip("dog/bbbb2222_nohash_0.wav")));
        assertEquals(Split.VALIDATION, p.splitOf(clip("_silence_/noise_3.wav")));
        assertEquals(Split.TRAINING, p.splitOf(clip("_silence_/noise_4.wav")), "silence has no speaker to hold out");
    }
}
