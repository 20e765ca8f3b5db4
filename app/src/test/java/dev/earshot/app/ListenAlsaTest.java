package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.earshot.audio.AudioClip;
import dev.earshot.audio.WavReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code earshot listen} through the real capture path with no sound card: an ALSA {@code file} PCM, set up in
 * an {@code .asoundrc} under a temporary HOME, feeds the demo recording to Java Sound's TargetDataLine, and the
 * bundled model must report the commands spoken in it.
 */
class ListenAlsaTest {
    static final Path DEMO = Path.of("..", "demo", "commands.wav");
    static final Path TRUTH = Path.of("..", "demo", "commands.txt");

    @Test
    void listenHearsTheDemoThroughJavaSound(@TempDir Path dir) throws Exception {
        assumeTrue(Files.exists(Path.of("/usr/share/alsa/alsa.conf")) || Files.exists(Path.of("/etc/alsa")),
                "ALSA's configuration is not installed (libasound2)");
        AudioClip clip = WavReader.read(DEMO, 16000);
        Path raw = dir.resolve("in.raw");
        ByteBuffer b = ByteBuffer.allocate(clip.samples().length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : clip.samples()) b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
        Files.write(raw, b.array());
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve(".asoundrc"), "pcm.!default { type file; slave.pcm \"null\"; file \"/dev/null\"; "
                + "infile \"" + raw.toAbsolutePath() + "\"; format \"raw\" }\n", StandardCharsets.US_ASCII);
        double seconds = clip.durationSeconds();
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "listen", "--json", "--seconds",
                String.format(java.util.Locale.ROOT, "%.2f", seconds));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", home.toString());
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "listen finished");
        assertEquals(0, p.exitValue(), Files.readString(err));

        // The capture path delivers the file bit-exactly: the same detections as streaming the WAV directly.
        TrainEvalRecognizeTest.Run direct = TrainEvalRecognizeTest.run("listen", "--json", "--fast", "--input", DEMO.toString());
        assertEquals(0, direct.exit(), direct.err());
        List<String> captured = Files.readAllLines(out);
        assertEquals(List.of(direct.out().trim().split("\n")), captured, "microphone path = file path");

        assertHearsTheDemo(captured);
    }

    /** The bundled window model hears the demo too, from the file. */
    @Test
    void windowModelHearsTheDemo() throws Exception {
        TrainEvalRecognizeTest.Run r = TrainEvalRecognizeTest.run("listen", "--json", "--fast", "--model", "windows",
                "--input", DEMO.toString());
        assertEquals(0, r.exit(), r.err());
        assertHearsTheDemo(List.of(r.out().trim().split("\n")));
    }

    private static void assertHearsTheDemo(List<String> captured) throws IOException {
        List<StreamingEval.Truth> truth = StreamingEval.readTruth(TRUTH);
        List<String[]> found = new ArrayList<>();
        for (String line : captured) {
            // {"label":"yes","confidence":0.93,"time_ms":1234}
            String label = line.replaceAll(".*\"label\":\"([^\"]*)\".*", "$1");
            String time = line.replaceAll(".*\"time_ms\":(\\d+).*", "$1");
            found.add(new String[] {label, time});
        }
        int correct = 0, commands = 0;
        for (StreamingEval.Truth t : truth) {
            if (t.label().startsWith("_")) continue;
            commands++;
            for (String[] f : found) {
                if (f[0].equals(t.label()) && Math.abs(Long.parseLong(f[1]) - t.timeMs()) <= 750) {
                    correct++;
                    break;
                }
            }
        }
        assertTrue(commands >= 5, "the demo has commands");
        // The default detection settings are tuned for few false positives (BENCHMARKS.md), which costs some
        // words spoken closer together than the 1.5 s suppression: two thirds is the floor here.
        assertTrue(3 * correct >= 2 * commands, "heard " + correct + " of " + commands + " commands: " + captured);
        assertTrue(found.size() <= correct + 1, "at most one extra detection: " + captured);
    }

    static void requireDemo() throws IOException {
        assertTrue(Files.exists(DEMO), DEMO + " is part of the repository");
    }
}
