package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.earshot.datasets.Pcm16Wav;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code earshot enroll} from a long recording and from the microphone (Java Sound on ALSA's file PCM), on
 * recordings made here whose good and faulty takes are known.
 */
class EnrollCommandTest {
    static final int RATE = 16000;

    /** Room noise at about -65 dBFS with tone bursts ("words") at the given [from, to) seconds. */
    static float[] recording(double seconds, long seed, double amplitude, double... words) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[(int) (seconds * RATE)];
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.001 * (2 * r.nextDouble() - 1));
        for (int w = 0; w < words.length; w += 2) {
            for (int i = (int) (words[w] * RATE); i < (int) (words[w + 1] * RATE); i++) {
                x[i] = (float) Math.max(-1, Math.min(1, x[i] + amplitude * Math.sin(2 * Math.PI * 180 * i / (double) RATE)));
            }
        }
        return x;
    }

    static List<String> files(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) return List.of();
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void splitsALongRecordingAndRefusesTheClippedTake(@TempDir Path dir) throws Exception {
        float[] good = recording(7, 1, 0.3, 0.5, 0.9, 2.0, 2.5, 5.0, 5.4);
        float[] loud = recording(7, 1, 1.6, 3.5, 4.0);  // the third utterance overdriven
        for (int i = (int) (3.4 * RATE); i < (int) (4.1 * RATE); i++) good[i] = loud[i];
        Path wav = dir.resolve("takes.wav");
        Pcm16Wav.write(wav, good, RATE);
        Path data = dir.resolve("mine");
        TrainEvalRecognizeTest.Run r = TrainEvalRecognizeTest.run("enroll", "computer", "--to", data.toString(),
                "--input", wav.toString(), "--speaker", "tester");
        assertEquals(0, r.exit(), r.err() + r.out());
        assertEquals(List.of("tester_nohash_0.wav", "tester_nohash_1.wav", "tester_nohash_2.wav"), files(data.resolve("computer")));
        assertTrue(r.out().contains("takes.wav 3.4") && r.out().contains("refused") && r.out().contains("clipped"), r.out());
        assertTrue(r.out().contains("3 of 4 utterances kept"), r.out());

        // Again with --count: numbering goes on after the speaker's last file.
        r = TrainEvalRecognizeTest.run("enroll", "computer", "--to", data.toString(), "--input", wav.toString(),
                "--speaker", "tester", "--count", "1");
        assertEquals(0, r.exit(), r.err());
        assertEquals(4, files(data.resolve("computer")).size());
        assertTrue(Files.exists(data.resolve("computer/tester_nohash_3.wav")));

        // Without the spoken other words, a folder of only the user's own word is refused for training: nothing
        // would say what is not the word.
        TrainEvalRecognizeTest.Run t = TrainEvalRecognizeTest.run("train", "--data", data.toString(), "--labels",
                "computer", "--out", dir.resolve("m.earshot").toString(), "--cache", "none", "--no-spoken-negatives");
        assertEquals(2, t.exit(), t.err());
        assertTrue(t.err().startsWith("earshot train: --data ") && t.err().contains("hold no words but --labels' (computer)")
                && t.err().contains("--negatives"), t.err());
        assertFalse(t.err().matches("(?s).*loaded \\d.*"), "refused before the clips are read: " + t.err());
    }

    @Test
    void aRecordingWithNoWordIsAnErrorAndWritesNothing(@TempDir Path dir) throws Exception {
        Path wav = dir.resolve("quiet.wav");
        Pcm16Wav.write(wav, recording(3, 2, 0), RATE);
        TrainEvalRecognizeTest.Run r = TrainEvalRecognizeTest.run("enroll", "go", "--to", dir.resolve("d").toString(),
                "--input", wav.toString(), "--speaker", "x");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("earshot enroll: ") && r.err().contains("quiet.wav: no utterance found"), r.err());
        assertFalse(Files.exists(dir.resolve("d")));
    }

    @Test
    void badOptionsAreRefusedBeforeRecording(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        String[][] cases = {
                {"go", "--to", dir.toString(), "--count", "0"},
                {"_unknown_", "--to", dir.toString()},
                {"go", "--to", dir.toString(), "--speaker", "a_b"},
                {"go", "--to", file.toString(), "--input", file.toString()},
                {"go", "--to", dir.toString(), "--take-seconds", "0.5"},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length + 1];
            args[0] = "enroll";
            System.arraycopy(c, 0, args, 1, c.length);
            TrainEvalRecognizeTest.Run r = TrainEvalRecognizeTest.run(args);
            assertEquals(2, r.exit(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().contains("--count") || r.err().contains("not a word") || r.err().contains("speaker")
                    || r.err().contains("not a folder") || r.err().contains("--take-seconds"), r.err());
        }
    }

    /** Three 2 s takes through Java Sound: a good one, one with no word, a good one; --count 2 keeps the two. */
    @Test
    void promptsTakesFromTheMicrophone(@TempDir Path dir) throws Exception {
        assumeTrue(Files.exists(Path.of("/usr/share/alsa/alsa.conf")) || Files.exists(Path.of("/etc/alsa")),
                "ALSA's configuration is not installed (libasound2)");
        float[] takes = recording(6, 3, 0.3, 0.6, 1.0, 4.7, 5.2);
        Path raw = dir.resolve("in.raw");
        ByteBuffer b = ByteBuffer.allocate(takes.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : takes) b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
        Files.write(raw, b.array());
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve(".asoundrc"), "pcm.!default { type file; slave.pcm \"null\"; file \"/dev/null\"; "
                + "infile \"" + raw.toAbsolutePath() + "\"; format \"raw\" }\n", StandardCharsets.US_ASCII);
        Path data = dir.resolve("mine");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "enroll", "lights on", "--to", data.toString(),
                "--count", "2", "--speaker", "tester");
        pb.environment().put("HOME", home.toString());
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "enroll finished");
        String printed = Files.readString(out);
        assertEquals(0, p.exitValue(), Files.readString(err) + printed);
        assertEquals(List.of("tester_nohash_0.wav", "tester_nohash_1.wav"), files(data.resolve("lights_on")), printed);
        assertTrue(printed.contains("refused: no word heard"), printed);
        assertTrue(printed.contains("take 2 of 2"), printed);
        // The second kept take is the third prompt's word (4.7-5.2 s), centred in its clip.
        float[] kept = dev.earshot.audio.WavReader.read(data.resolve("lights_on/tester_nohash_1.wav"), RATE).samples();
        double centre = 0, mass = 0;
        for (int i = 0; i < kept.length; i++) {
            centre += i * (double) kept[i] * kept[i];
            mass += (double) kept[i] * kept[i];
        }
        assertEquals(RATE / 2.0, centre / mass, RATE * 0.03, "the word's energy is centred in the clip");
    }
}
